// Package lint checks the hand-kept specs of spec/ against the repository's conventions
// (spec/README.md): each rule has an ID, a severity, a one-line purpose and a small handler, and
// reports diagnostics located by line and column in the YAML source.
package lint

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"gopkg.in/yaml.v3"
)

// Severity of a rule's findings.
type Severity string

const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Diagnostic is one finding: where, which rule, how bad, and what.
type Diagnostic struct {
	File     string   `json:"file"`
	Line     int      `json:"line"`
	Column   int      `json:"column"`
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	Pointer  string   `json:"pointer"` // JSON pointer into File ("#/paths/...")
}

func (d Diagnostic) String() string {
	return fmt.Sprintf("%s:%d:%d: %s %s %s", d.File, d.Line, d.Column, d.Severity, d.Rule, d.Message)
}

// Rule is one check.
type Rule struct {
	ID       string
	Severity Severity
	Purpose  string
	Check    func(s *Spec, r *Reporter)
}

// Spec is one loaded spec file with its YAML source and ledger.
type Spec struct {
	File    string
	Src     *Source
	Doc     *openapi3.T // nil when the file does not load
	LoadErr error       // why Doc is nil, or why it does not validate
	Ledger  *Ledger     // nil when the spec has no ledger file
}

// Reporter collects one rule's diagnostics.
type Reporter struct {
	rule Rule
	spec *Spec
	out  []Diagnostic
}

// At reports a finding at a JSON pointer of the spec file.
func (r *Reporter) At(ptr, format string, args ...any) { r.In(r.spec.Src, ptr, format, args...) }

// In reports a finding at a JSON pointer of another source (the ledger).
func (r *Reporter) In(src *Source, ptr, format string, args ...any) {
	line, col := src.Pos(ptr)
	r.out = append(r.out, Diagnostic{File: src.File, Line: line, Column: col, Rule: r.rule.ID,
		Severity: r.rule.Severity, Message: fmt.Sprintf(format, args...), Pointer: "#" + strings.TrimPrefix(ptr, "#")})
}

// Load reads a spec, its YAML tree, the kin-openapi document and the ledger
// (<dir>/ledger/<name>.yaml) if there is one. Only I/O errors are returned; a spec that does
// not parse or validate is reported by rule OAS-VALID.
func Load(file string) (*Spec, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	s := &Spec{File: file, Src: &Source{File: file}}
	if s.Src.Root, err = parseYAML(data); err != nil {
		s.LoadErr = err
		return s, nil
	}
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	abs, _ := filepath.Abs(file)
	if s.Doc, err = loader.LoadFromDataWithPath(data, &url.URL{Path: abs}); err != nil {
		s.Doc, s.LoadErr = nil, err
	} else if err = s.Doc.Validate(context.Background(), openapi3.DisableExamplesValidation()); err != nil {
		s.LoadErr = err
	}
	ledgerFile := filepath.Join(filepath.Dir(file), "ledger", filepath.Base(file))
	if data, err := os.ReadFile(ledgerFile); err == nil {
		if s.Ledger, err = ParseLedger(ledgerFile, data); err != nil {
			return nil, err
		}
	}
	return s, nil
}

func parseYAML(data []byte) (*yaml.Node, error) {
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		return nil, err
	}
	return &n, nil
}

// Rules lists every rule in a stable order.
func Rules() []Rule { return rules }

// Result is the outcome of a run: findings, and findings a waiver silenced.
type Result struct {
	Findings []Diagnostic
	Waived   []WaivedDiagnostic
	// FailOn is the lowest severity that fails the run ("" means Error): every report
	// format and the exit code agree on it.
	FailOn Severity
	// SummarizeWarnings makes the text format print one line per rule for warnings instead
	// of each finding.
	SummarizeWarnings bool
}

// Fails reports whether a finding of severity sev fails the run.
func (r *Result) Fails(sev Severity) bool {
	return sev == Error || (sev == Warning && r.FailOn == Warning)
}

// Failed reports whether any finding fails the run.
func (r *Result) Failed() bool {
	for _, d := range r.Findings {
		if r.Fails(d.Severity) {
			return true
		}
	}
	return false
}

// Run lints every file with every rule and applies the waivers of cfg (may be nil).
func Run(files []string, cfg *Config) (*Result, error) {
	var all []Diagnostic
	for _, f := range files {
		s, err := Load(f)
		if err != nil {
			return nil, err
		}
		all = append(all, s.Lint(rules)...)
	}
	res := cfg.apply(all, files)
	sortDiags(res.Findings)
	return res, nil
}

// Lint runs the given rules on the spec.
func (s *Spec) Lint(rs []Rule) []Diagnostic {
	var out []Diagnostic
	for _, rule := range rs {
		r := &Reporter{rule: rule, spec: s}
		if rule.Check != nil && (s.Doc != nil || rule.ID == "OAS-VALID") {
			rule.Check(s, r)
		}
		out = append(out, r.out...)
	}
	return out
}

func sortDiags(ds []Diagnostic) {
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
}

// Count returns the number of findings of severity sev.
func (r *Result) Count(sev Severity) int {
	n := 0
	for _, d := range r.Findings {
		if d.Severity == sev {
			n++
		}
	}
	return n
}
