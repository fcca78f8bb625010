// Package cli is the apicgen command: `generate` writes what generator.Generate returns and
// `check` compares it with the tree.
package cli

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/apiclab/apic/generator"
	"github.com/apiclab/apic/internal/cmdline"
)

// Exit codes: 0 done (or up to date), 1 check found differences, 2 usage or tool failure.
const (
	ExitOK      = cmdline.OK
	ExitDiffers = cmdline.Findings
	ExitFailure = cmdline.Usage
)

const usage = `usage: apicgen [flags] generate|check

  generate  write the packages in generated/ from the specs in spec/
  check     compare them with the tree; exit 1 with a diff if any file differs

Configuration: one file per spec in generator/config/*.yaml.
Exit status: 0 done or up to date, 1 check found differences, 2 usage or tool error.

Flags:
`

// Run is the whole command; main only passes its arguments and streams.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("apicgen", flag.ContinueOnError)
	root := fs.String("root", ".", "repository root")
	help := func(w io.Writer) {
		fmt.Fprint(w, usage)
		cmdline.PrintFlags(fs, w)
	}
	if code, done := cmdline.Parse(fs, args, stdout, stderr, help); done {
		return code
	}
	if fs.NArg() != 1 || (fs.Arg(0) != "generate" && fs.Arg(0) != "check") {
		help(stderr)
		return ExitFailure
	}
	cfgs, err := generator.LoadConfigs(*root)
	if err != nil {
		fmt.Fprintln(stderr, "apicgen:", err)
		return ExitFailure
	}
	files, err := generator.Generate(*root, cfgs)
	if err != nil {
		fmt.Fprintln(stderr, "apicgen:", err)
		return ExitFailure
	}
	switch fs.Arg(0) {
	case "generate":
		if err := write(*root, files); err != nil {
			fmt.Fprintln(stderr, "apicgen:", err)
			return ExitFailure
		}
		if err := removeStale(*root, files); err != nil {
			fmt.Fprintln(stderr, "apicgen:", err)
			return ExitFailure
		}
		fmt.Fprintf(stdout, "apicgen: wrote %d files\n", len(files))
		return ExitOK
	case "check":
		diffs := Check(*root, files)
		if len(diffs) == 0 {
			fmt.Fprintf(stdout, "apicgen: %d generated files are up to date\n", len(files))
			return ExitOK
		}
		for _, d := range diffs {
			fmt.Fprintln(stdout, d)
		}
		fmt.Fprintf(stdout, "apicgen: %d generated files differ from the specs; run `make generate`\n", len(diffs))
		return ExitDiffers
	}
	return ExitFailure // unreachable: the verb was checked above
}

func write(root string, files map[string][]byte) error {
	for name, content := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if old, err := os.ReadFile(p); err == nil && bytes.Equal(old, content) {
			continue
		}
		if err := os.WriteFile(p, content, 0o644); err != nil {
			return err
		}
	}
	return nil
}

// removeStale deletes the generated Go files in the output directories that the generator
// no longer produces (a schema or spec removed), so that `generate` fixes what `check`
// reports. Hand-written files there, which lack the header, are kept.
func removeStale(root string, files map[string][]byte) error {
	for _, rel := range staleFiles(root, files) {
		if err := os.Remove(filepath.Join(root, filepath.FromSlash(rel))); err != nil {
			return err
		}
	}
	return nil
}

// staleFiles lists the generated Go files below the output directories of files that are not
// in files.
func staleFiles(root string, files map[string][]byte) []string {
	dirs := map[string]bool{}
	for n := range files {
		dirs[filepath.Dir(filepath.FromSlash(n))] = true
	}
	var out []string
	for d := range dirs {
		entries, _ := os.ReadDir(filepath.Join(root, d))
		for _, e := range entries {
			rel := filepath.ToSlash(filepath.Join(d, e.Name()))
			if _, ok := files[rel]; !ok && strings.HasSuffix(e.Name(), ".go") && isGenerated(filepath.Join(root, d, e.Name())) {
				out = append(out, rel)
			}
		}
	}
	sort.Strings(out)
	return out
}

// Check compares files with the tree below root and describes each difference, with a short
// line diff. Generated Go files in the output directories that the generator no longer
// produces count as differences too.
func Check(root string, files map[string][]byte) []string {
	var out []string
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		old, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(n)))
		if err != nil {
			out = append(out, fmt.Sprintf("missing: %s", n))
			continue
		}
		if !bytes.Equal(old, files[n]) {
			out = append(out, fmt.Sprintf("differs: %s\n%s", n, lineDiff(string(old), string(files[n]))))
		}
	}
	for _, rel := range staleFiles(root, files) {
		out = append(out, fmt.Sprintf("stale: %s (the generator no longer writes it)", rel))
	}
	sort.Strings(out)
	return out
}

// lineDiff shows the first lines where two texts part, enough to see why a check failed.
func lineDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	i := 0
	for i < len(al) && i < len(bl) && al[i] == bl[i] {
		i++
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "@@ line %d @@\n", i+1)
	for j := i; j < len(al) && j < i+5; j++ {
		fmt.Fprintf(&sb, "-%s\n", al[j])
	}
	for j := i; j < len(bl) && j < i+5; j++ {
		fmt.Fprintf(&sb, "+%s\n", bl[j])
	}
	return sb.String()
}

// isGenerated reports whether the file carries the generated-code header; hand-written tests
// beside generated code are not the generator's business.
func isGenerated(p string) bool {
	data, err := os.ReadFile(p)
	return err == nil && bytes.HasPrefix(data, []byte(generator.Header))
}
