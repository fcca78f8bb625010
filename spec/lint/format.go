package lint

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// Formats are the output formats Write knows.
var Formats = []string{"text", "json", "junit", "github-actions", "sarif"}

// Write prints the result in the given format.
func (r *Result) Write(w io.Writer, format string, files []string) error {
	switch format {
	case "text":
		return r.text(w)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Findings []Diagnostic       `json:"findings"`
			Waived   []WaivedDiagnostic `json:"waived"`
		}{orEmpty(r.Findings), orEmpty(r.Waived)})
	case "junit":
		return r.junit(w, files)
	case "sarif":
		return r.sarif(w)
	case "github-actions":
		for _, d := range r.Findings {
			kind := "error"
			if d.Severity == Warning {
				kind = "warning"
			}
			fmt.Fprintf(w, "::%s file=%s,line=%d,col=%d,title=%s::%s\n", kind, d.File, d.Line, d.Column, d.Rule, ghEscape(d.Message))
		}
		for _, d := range r.Waived {
			fmt.Fprintf(w, "::notice file=%s,line=%d,col=%d,title=%s (waived)::%s\n", d.File, d.Line, d.Column, d.Rule, ghEscape(d.Reason))
		}
		return nil
	}
	return fmt.Errorf("unknown format %q (want one of %s)", format, strings.Join(Formats, ", "))
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func ghEscape(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func (r *Result) text(w io.Writer) error {
	summarized := map[string]int{}
	for _, d := range r.Findings {
		if r.SummarizeWarnings && d.Severity == Warning {
			summarized[d.Rule]++
			continue
		}
		fmt.Fprintln(w, d)
	}
	for _, rule := range rules {
		if n := summarized[rule.ID]; n > 0 {
			fmt.Fprintf(w, "warning %s: %d findings (%s; list them with apiclint)\n", rule.ID, n, rule.Purpose)
		}
	}
	if len(r.Waived) > 0 {
		fmt.Fprintln(w, "waived:")
		for _, d := range r.Waived {
			fmt.Fprintf(w, "  %s (reason: %s)\n", d.Diagnostic, d.Reason)
		}
	}
	_, err := fmt.Fprintf(w, "%d errors, %d warnings, %d waived\n", r.Count(Error), r.Count(Warning), len(r.Waived))
	return err
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Failure   *junitFailure `xml:"failure,omitempty"`
	Skipped   *struct{}     `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitSuite struct {
	XMLName  xml.Name    `xml:"testsuite"`
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

// junit writes one test case per rule and file: failed with its findings when they fail the
// run (errors, or warnings with FailOn warning), passed otherwise, with the findings that do
// not fail it in system-out. The failures count thus agrees with the exit code.
func (r *Result) junit(w io.Writer, files []string) error {
	byKey := map[string][]Diagnostic{}
	for _, d := range r.Findings {
		byKey[d.File+"\x00"+d.Rule] = append(byKey[d.File+"\x00"+d.Rule], d)
	}
	suite := junitSuite{Name: "apiclint"}
	add := func(c junitCase, ds []Diagnostic) {
		msgs := make([]string, 0, len(ds))
		failing := false
		for _, d := range ds {
			msgs = append(msgs, d.String())
			failing = failing || r.Fails(d.Severity)
		}
		switch {
		case failing:
			c.Failure = &junitFailure{Message: fmt.Sprintf("%d findings", len(ds)), Type: string(ds[0].Severity), Text: strings.Join(msgs, "\n")}
			suite.Failures++
		case len(ds) > 0:
			c.SystemOut = strings.Join(msgs, "\n")
		}
		suite.Cases = append(suite.Cases, c)
	}
	for _, f := range files {
		for _, rule := range rules {
			add(junitCase{Name: rule.ID, Classname: f}, byKey[f+"\x00"+rule.ID])
		}
	}
	// Findings in other files (ledgers, the config) are cases of their own.
	for _, d := range r.Findings {
		if !contains(files, d.File) {
			add(junitCase{Name: d.Rule, Classname: d.File}, []Diagnostic{d})
		}
	}
	suite.Tests = len(suite.Cases)
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(suite); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
