// Command apiclint lints the hand-kept OpenAPI specs (spec/*.yaml) and their ledgers against
// the repository's conventions. Run with --help for the rules.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/apiclab/apic/internal/cmdline"
	"github.com/apiclab/apic/spec/lint"
)

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }

const defaultConfig = "spec/lint.yaml"

func run(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("apiclint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := fs.String("format", "text", "output format: "+strings.Join(lint.Formats, ", "))
	config := fs.String("config", defaultConfig, "waiver config file (missing default: no waivers)")
	out := fs.String("out", "", "write the report to this file instead of stdout")
	failOn := fs.String("fail-on", "error", "lowest severity that makes the exit code 1: error or warning")
	warnings := fs.String("warnings", "list", "text format: list every warning, or summary (one line per rule)")
	if code, done := cmdline.Parse(fs, args, stdout, stderr, func(w io.Writer) { usage(fs, w) }); done {
		return code
	}
	if *failOn != "error" && *failOn != "warning" {
		fmt.Fprintf(stderr, "apiclint: --fail-on must be error or warning\n")
		return cmdline.Usage
	}
	if *warnings != "list" && *warnings != "summary" {
		fmt.Fprintf(stderr, "apiclint: --warnings must be list or summary\n")
		return cmdline.Usage
	}
	files := fs.Args()
	if len(files) == 0 {
		all, _ := filepath.Glob("spec/*.yaml")
		for _, f := range all {
			if filepath.Clean(f) != filepath.Clean(*config) && filepath.Base(f) != "lint.yaml" {
				files = append(files, f)
			}
		}
		if len(files) == 0 {
			fmt.Fprintln(stderr, "apiclint: no spec files (run from the repository root or name them)")
			return 2
		}
	}
	var cfg *lint.Config
	if _, err := os.Stat(*config); err == nil || *config != defaultConfig {
		if cfg, err = lint.LoadConfig(*config); err != nil {
			fmt.Fprintf(stderr, "apiclint: %v\n", err)
			return 2
		}
	}
	res, err := lint.Run(files, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "apiclint: %v\n", err)
		return 2
	}
	res.FailOn = lint.Severity(*failOn)
	res.SummarizeWarnings = *warnings == "summary"
	w := stdout
	if *out != "" {
		f, err := os.Create(*out)
		if err != nil {
			fmt.Fprintf(stderr, "apiclint: %v\n", err)
			return 2
		}
		defer f.Close()
		w = f
	}
	if err := res.Write(w, *format, files); err != nil {
		fmt.Fprintf(stderr, "apiclint: %v\n", err)
		return 2
	}
	if res.Failed() {
		return cmdline.Findings
	}
	return cmdline.OK
}

func usage(fs *flag.FlagSet, w io.Writer) {
	fmt.Fprintln(w, "usage: apiclint [flags] [spec.yaml ...]   (default: spec/*.yaml)")
	fmt.Fprintln(w, "\nExit status: 0 clean, 1 findings (errors, or warnings with --fail-on warning), 2 tool or usage error.")
	fmt.Fprintln(w, "\nFlags:")
	cmdline.PrintFlags(fs, w)
	fmt.Fprintln(w, "\nRules:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	for _, r := range lint.Rules() {
		fmt.Fprintf(tw, "  %s\t%s\t%s\n", r.ID, r.Severity, r.Purpose)
	}
	tw.Flush()
}
