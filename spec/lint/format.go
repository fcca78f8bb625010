package lint

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// Formats are the output formats Write knows.
var Formats = []string{"text", "json", "junit", "github-actions"}

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
	for _, d := range r.Findings {
		fmt.Fprintln(w, d)
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
}

type junitSuite struct {
	XMLName  xml.Name    `xml:"testsuite"`
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Cases    []junitCase `xml:"testcase"`
}

// junit writes one test case per rule and file: failed with its findings, passed otherwise.
func (r *Result) junit(w io.Writer, files []string) error {
	byKey := map[string][]string{}
	for _, d := range r.Findings {
		byKey[d.File+"\x00"+d.Rule] = append(byKey[d.File+"\x00"+d.Rule], d.String())
	}
	suite := junitSuite{Name: "apiclint"}
	for _, f := range files {
		for _, rule := range rules {
			c := junitCase{Name: rule.ID, Classname: f}
			if msgs := byKey[f+"\x00"+rule.ID]; len(msgs) > 0 {
				c.Failure = &junitFailure{Message: fmt.Sprintf("%d findings", len(msgs)), Type: string(rule.Severity), Text: strings.Join(msgs, "\n")}
				suite.Failures++
			}
			suite.Cases = append(suite.Cases, c)
		}
	}
	// Findings in other files (ledgers, the config) are cases of their own.
	for _, d := range r.Findings {
		if !contains(files, d.File) {
			suite.Cases = append(suite.Cases, junitCase{Name: d.Rule, Classname: d.File,
				Failure: &junitFailure{Message: d.Message, Type: string(d.Severity), Text: d.String()}})
			suite.Failures++
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
