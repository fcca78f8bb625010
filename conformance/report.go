package conformance

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
)

// Summary is the line a run ends with. It counts the cases (examples, rules and flows: what
// the progress counter counts) apart from the response checks, which are grouped by what
// the target answered and so are known only at the end.
func (r *Report) Summary() string {
	cases := map[Status]int{}
	n, groups, bad, warned := 0, 0, 0, 0
	for _, x := range r.Results {
		if x.Status == Warning {
			warned++
			continue
		}
		if x.Section == SectionResponses {
			groups++
			if x.Status == Failed {
				bad++
			}
			continue
		}
		n++
		cases[x.Status]++
	}
	return fmt.Sprintf("conformance: %d cases: %d passed, %d failed, %d expected-rejections, %d not run; responses: %d checked, %d of %d groups not conforming; %d warnings",
		n, cases[Passed], cases[Failed], cases[ExpectedRejection], cases[NotRun], r.Responses, bad, groups, warned)
}

// WriteText writes every failure with the verdict of each point, the warnings, the expected
// rejections and the cases not run with their reasons, tables per section, operation and kind, and
// the summary line last.
func (r *Report) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "conformance suite against %s (%.1fs)\n\n", r.Target, r.Seconds)
	for _, x := range r.Results {
		switch x.Status {
		case Failed:
			fmt.Fprintf(w, "FAIL %s: %s\n", x.ID, x.Message)
			for _, v := range x.Verdicts {
				fmt.Fprintf(w, "    %-17s %s\n", string(v.Point)+":", v.Verdict)
			}
			if x.Reproducer != "" {
				fmt.Fprintf(w, "    reproduce:        %s\n", x.Reproducer)
			}
		case Warning:
			fmt.Fprintf(w, "WARN %s [%s]: %s\n", x.ID, x.Kind, x.Message)
		case ExpectedRejection:
			fmt.Fprintf(w, "EXPECTED-REJECTION %s (ledger %s): %s\n", x.ID, x.Ledger, x.Message)
		case NotRun:
			fmt.Fprintf(w, "NOT RUN %s: %s\n", x.ID, x.Message)
		}
	}
	fmt.Fprintln(w)
	for _, t := range []struct {
		title string
		key   func(Result) string
	}{
		{"section", func(x Result) string { return x.Section }},
		{"operation", func(x Result) string { return x.Operation }},
		{"kind", func(x Result) string { return x.Kind }},
	} {
		r.table(w, t.title, t.key)
		fmt.Fprintln(w)
	}
	r.advisoryTable(w)
	bad := 0
	for _, x := range r.Results {
		if x.Section == SectionResponses && x.Status == Failed {
			bad++
		}
	}
	fmt.Fprintf(w, "responses: %d checked against the spec, %d groups (operation/status) not conforming\n", r.Responses, bad)
	if r.Created > 0 {
		fmt.Fprintf(w, "APIs: %d created by the run, %d deleted (%d left on the target)\n", r.Created, r.Removed, r.Created-r.Removed)
	}
	if n := r.acceptedThenRefused(); n > 0 {
		fmt.Fprintf(w, "valid cases accepted by validation, then refused for state (name or route taken, id unknown): %d\n", n)
	}
	if n := r.Counts()[NotRun]; n > 0 {
		fmt.Fprintf(w, "not run: %d\n", n)
	}
	if n := r.Counts()[Warning]; n > 0 {
		fmt.Fprintf(w, "warnings: %d (they fail the run only with --fail-on warning)\n", n)
	}
	_, err := fmt.Fprintln(w, r.Summary())
	return err
}

func (r *Report) acceptedThenRefused() int {
	n := 0
	for _, x := range r.Results {
		for _, v := range x.Verdicts {
			if v.Point == PointServer && strings.HasPrefix(v.Verdict, "accept: passed validation, then") {
				n++
			}
		}
	}
	return n
}

func (r *Report) table(w io.Writer, title string, key func(Result) string) {
	rows := map[string]map[Status]int{}
	for _, x := range r.Results {
		k := key(x)
		if rows[k] == nil {
			rows[k] = map[Status]int{}
		}
		rows[k][x.Status]++
	}
	keys := make([]string, 0, len(rows))
	for k := range rows {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "%s\tpassed\tfailed\texpected-rejections\tnot-run\twarnings\t\n", title)
	for _, k := range keys {
		c := rows[k]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t\n", k, c[Passed], c[Failed], c[ExpectedRejection], c[NotRun], c[Warning])
	}
	tw.Flush()
}

// advisoryTable lists, per ledger entry and rule, how the target treated the cases of the
// advisory rules: the rules the pages state but the ledger says the service does not
// enforce. Against the live service, an "enforced" count shows a ledger decision to revisit.
func (r *Report) advisoryTable(w io.Writer) {
	type row struct{ cases, accepted, enforced, other int }
	rows := map[string]*row{}
	for _, x := range r.Results {
		if x.Section != SectionAdvisory {
			continue
		}
		k := x.Ledger + "\t" + x.Kind
		if rows[k] == nil {
			rows[k] = &row{}
		}
		rw := rows[k]
		rw.cases++
		server := ""
		for _, v := range x.Verdicts {
			if v.Point == PointServer {
				server = v.Verdict
			}
		}
		switch {
		case strings.HasPrefix(server, "accept"):
			rw.accepted++
		case strings.HasPrefix(server, "reject"):
			rw.enforced++
		default:
			rw.other++
		}
	}
	if len(rows) == 0 {
		return
	}
	keys := make([]string, 0, len(rows))
	for k := range rows {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintln(w, "advisory rules (stated by the pages, not enforced by the service according to the ledger):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "ledger\trule\tcases\taccepted by the target\tenforced by the target\tother\t\n")
	for _, k := range keys {
		c := rows[k]
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t\n", k, c.cases, c.accepted, c.enforced, c.other)
	}
	tw.Flush()
	fmt.Fprintln(w)
}

// WriteJSON writes the report with its counts.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		*Report
		Counts  map[Status]int `json:"counts"`
		Summary string         `json:"summary"`
	}{r, r.Counts(), r.Summary()})
}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     float64      `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name       string          `xml:"name,attr"`
	Classname  string          `xml:"classname,attr"`
	Properties *junitPropsList `xml:"properties,omitempty"`
	Failure    *junitMsg       `xml:"failure,omitempty"`
	Skipped    *junitMsg       `xml:"skipped,omitempty"`
	SystemOut  string          `xml:"system-out,omitempty"`
}

type junitPropsList struct {
	Props []junitProp `xml:"property"`
}

type junitProp struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitMsg struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes one test suite per section. A case not run is skipped with its reason;
// an expected rejection passes, with its ledger id in system-out; a warning passes (JUnit has
// no warnings), with the property "warning" naming its kind and its message in system-out.
func (r *Report) WriteJUnit(w io.Writer) error {
	out := junitSuites{Name: "conformance: " + r.Target, Time: r.Seconds}
	index := map[string]int{}
	for _, x := range r.Results {
		i, ok := index[x.Section]
		if !ok {
			i = len(out.Suites)
			index[x.Section] = i
			out.Suites = append(out.Suites, junitSuite{Name: x.Section})
		}
		s := &out.Suites[i]
		c := junitCase{Name: x.ID, Classname: "conformance." + x.Section + "." + x.Operation}
		var detail []string
		for _, v := range x.Verdicts {
			detail = append(detail, string(v.Point)+": "+v.Verdict)
		}
		switch x.Status {
		case Failed:
			if x.Reproducer != "" {
				detail = append(detail, "reproduce: "+x.Reproducer)
			}
			c.Failure = &junitMsg{Message: x.Message, Text: strings.Join(detail, "\n")}
			s.Failures++
		case NotRun:
			c.Skipped = &junitMsg{Message: x.Message}
			s.Skipped++
		case ExpectedRejection:
			c.SystemOut = "expected rejection, ledger " + x.Ledger + "\n" + strings.Join(detail, "\n")
		case Warning:
			c.Properties = &junitPropsList{[]junitProp{{Name: "warning", Value: x.Kind}}}
			c.SystemOut = "warning (" + x.Kind + "): " + x.Message
		}
		s.Tests++
		s.Cases = append(s.Cases, c)
	}
	for _, s := range out.Suites {
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Skipped += s.Skipped
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// Write writes the report in a format: text, json, junit or html.
func (r *Report) Write(w io.Writer, format string) error {
	switch format {
	case "text", "":
		return r.WriteText(w)
	case "json":
		return r.WriteJSON(w)
	case "junit":
		return r.WriteJUnit(w)
	case "html":
		return r.WriteHTML(w)
	}
	return fmt.Errorf("unknown format %q (text, json, junit, html)", format)
}
