// Command apicbreaking reports the changes of each spec since a git ref that break code
// embedding the generated client: apicbreaking [--format text|json] BASE [spec.yaml ...].
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"gopkg.in/yaml.v3"

	"github.com/apiclab/apic/internal/cmdline"
	"github.com/apiclab/apic/spec/lint/breaking"
)

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }

func run(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("apicbreaking", flag.ContinueOnError)
	format := fs.String("format", "text", "output format: text or json")
	usage := func(w io.Writer) {
		fmt.Fprintln(w, "usage: apicbreaking [--format text|json] BASE [spec.yaml ...]   (default: the OpenAPI files spec/*.yaml)")
		fmt.Fprintln(w, "Compares each spec at the git ref BASE with the working tree. Exit 0: nothing breaks; 1: breaking changes; 2: failure.")
		cmdline.PrintFlags(fs, w)
	}
	if code, done := cmdline.Parse(fs, args, stdout, stderr, usage); done {
		return code
	}
	if fs.NArg() < 1 || (*format != "text" && *format != "json") {
		usage(stderr)
		return cmdline.Usage
	}
	base, files := fs.Arg(0), fs.Args()[1:]
	// A report of no changes must mean that nothing changed, never that nothing was compared.
	if err := checkRef(base); err != nil {
		fmt.Fprintf(stderr, "apicbreaking: %v\n", err)
		return 2
	}
	if len(files) == 0 {
		files = openAPIFiles("spec/*.yaml")
		if len(files) == 0 {
			fmt.Fprintln(stderr, "apicbreaking: no OpenAPI files in spec/: run it from the repository root, or name the specs")
			return 2
		}
	}
	report := map[string][]breaking.Change{}
	broken := 0
	for _, f := range files {
		changes, err := compare(base, f)
		if err != nil {
			fmt.Fprintf(stderr, "apicbreaking: %s: %v\n", f, err)
			return 2
		}
		if changes == nil {
			changes = []breaking.Change{} // JSON: [] rather than null
		}
		report[f] = changes
		for _, c := range changes {
			if c.Breaking {
				broken++
			}
		}
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.Encode(report)
	} else {
		for _, f := range files {
			for _, c := range report[f] {
				fmt.Fprintf(stdout, "%s: %s\n", f, c)
			}
		}
		fmt.Fprintf(stdout, "%d breaking changes since %s\n", broken, base)
	}
	if broken > 0 {
		return 1
	}
	return 0
}

// checkRef fails outside a git work tree and for a ref that names no commit.
func checkRef(base string) error {
	if err := exec.Command("git", "rev-parse", "--is-inside-work-tree").Run(); err != nil {
		return fmt.Errorf("not inside a git work tree: run it in the repository")
	}
	if err := exec.Command("git", "rev-parse", "--verify", "--quiet", base+"^{commit}").Run(); err != nil {
		return fmt.Errorf("unknown git ref %q", base)
	}
	return nil
}

// compare diffs the spec, and its ledger (ledger/<name> beside it), at git ref base with the
// working tree. A spec new since base is reported as such: it breaks nothing, but it is not
// "unchanged". One deleted since base breaks everything and is an error.
func compare(base, file string) ([]breaking.Change, error) {
	cur, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	old, ok := atRef(base, file)
	if !ok {
		return []breaking.Change{{ID: "spec-added", Operation: file, Message: "not in " + base + ": everything in it is new"}}, nil
	}
	changes, err := breaking.Compare(old, cur)
	if err != nil {
		return nil, err
	}
	ledger := filepath.Join(filepath.Dir(file), "ledger", filepath.Base(file))
	if now, err := os.ReadFile(ledger); err == nil {
		was, _ := atRef(base, ledger)
		decisions, err := breaking.CompareLedgers(was, now)
		if err != nil {
			return nil, err
		}
		changes = append(changes, decisions...)
	}
	return changes, nil
}

// atRef returns file as it is at git ref base, and whether it exists there.
func atRef(base, file string) ([]byte, bool) {
	data, err := exec.Command("git", "show", base+":./"+filepath.ToSlash(file)).Output()
	return data, err == nil
}

// openAPIFiles lists the files of the glob that are OpenAPI documents (a top-level openapi key).
func openAPIFiles(glob string) []string {
	all, _ := filepath.Glob(glob)
	var out []string
	for _, f := range all {
		data, err := os.ReadFile(f)
		var top map[string]any
		if err == nil && yaml.Unmarshal(data, &top) == nil && top["openapi"] != nil {
			out = append(out, f)
		}
	}
	return out
}
