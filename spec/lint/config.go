package lint

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Waiver silences one rule at one location of one file; the reason is mandatory.
type Waiver struct {
	Rule    string `yaml:"rule" json:"rule"`
	File    string `yaml:"file" json:"file"`
	Pointer string `yaml:"pointer" json:"pointer"`
	Reason  string `yaml:"reason" json:"reason"`
}

// Config is the linter's configuration file (spec/lint.yaml).
type Config struct {
	File    string
	Src     *Source
	Waivers []Waiver `yaml:"waivers"`
}

// WaivedDiagnostic is a finding a waiver silenced.
type WaivedDiagnostic struct {
	Diagnostic
	Reason string `json:"reason"`
}

// LoadConfig reads and checks a config file.
func LoadConfig(file string) (*Config, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	root, err := parseYAML(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	c := &Config{File: file, Src: &Source{File: file, Root: root}}
	if len(root.Content) > 0 {
		if err := root.Decode(c); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
	}
	known := map[string]bool{}
	for _, r := range rules {
		known[r.ID] = true
	}
	for i, w := range c.Waivers {
		line, _ := c.Src.Pos(Ptr("#/waivers", itoa(i)))
		switch {
		case !known[w.Rule]:
			return nil, fmt.Errorf("%s:%d: waiver: unknown rule %q", file, line, w.Rule)
		case w.File == "" || w.Pointer == "":
			return nil, fmt.Errorf("%s:%d: waiver: file and pointer are mandatory", file, line)
		case strings.TrimSpace(w.Reason) == "":
			return nil, fmt.Errorf("%s:%d: waiver: reason is mandatory", file, line)
		}
	}
	return c, nil
}

func samePointer(a, b string) bool { return strings.TrimPrefix(a, "#") == strings.TrimPrefix(b, "#") }

// apply moves waived findings aside and reports the waivers (of the linted files) that matched
// nothing.
func (c *Config) apply(all []Diagnostic, files []string) *Result {
	res := &Result{}
	if c == nil {
		res.Findings = all
		return res
	}
	used := make([]bool, len(c.Waivers))
	for _, d := range all {
		i := c.match(d)
		if i < 0 {
			res.Findings = append(res.Findings, d)
			continue
		}
		used[i] = true
		res.Waived = append(res.Waived, WaivedDiagnostic{d, c.Waivers[i].Reason})
	}
	linted := map[string]bool{}
	for _, f := range files {
		linted[filepath.Clean(f)] = true
	}
	for i, w := range c.Waivers {
		if !used[i] && linted[filepath.Clean(w.File)] {
			r := &Reporter{rule: ruleByID("WAIVER-UNUSED")}
			r.In(c.Src, Ptr("#/waivers", itoa(i)), "waiver of %s at %s %s matches no finding", w.Rule, w.File, w.Pointer)
			res.Findings = append(res.Findings, r.out...)
		}
	}
	return res
}

func (c *Config) match(d Diagnostic) int {
	for i, w := range c.Waivers {
		if w.Rule == d.Rule && filepath.Clean(w.File) == filepath.Clean(d.File) && samePointer(w.Pointer, d.Pointer) {
			return i
		}
	}
	return -1
}

func ruleByID(id string) Rule {
	for _, r := range rules {
		if r.ID == id {
			return r
		}
	}
	return Rule{ID: id, Severity: Error}
}
