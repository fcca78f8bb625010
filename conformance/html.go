package conformance

import (
	_ "embed"
	"html/template"
	"io"
	"slices"
	"sort"
	"strings"
)

//go:embed report.html.tmpl
var htmlTemplate string

var reportPage = template.Must(template.New("report").Funcs(template.FuncMap{
	"disagrees": func(x Result, p Point) bool { return slices.Contains(x.Disagree, p) },
}).Parse(htmlTemplate))

// MatrixPoints are the four points every case is judged at, the columns of the HTML
// report's matrix.
var MatrixPoints = []Point{PointOracle, PointGenerated, PointClient, PointServer}

// matrixRow counts one operation's cases of one rule kind (Kind "" for the operation's total).
type matrixRow struct {
	Operation, Kind string
	Cases           int
	Status          map[Status]int
	// Points holds, per point of MatrixPoints, how many cases it judged and how many of
	// its verdicts disagreed with the case's.
	Points []pointCell
}

type pointCell struct{ Judged, Disagreed int }

func (c pointCell) Class() string {
	switch {
	case c.Disagreed > 0:
		return "bad"
	case c.Judged == 0:
		return "none"
	}
	return "ok"
}

// matrix counts the cases (not the response checks) by operation and kind, with a total row
// first for each operation.
func (r *Report) matrix() []matrixRow {
	rows := map[[2]string]*matrixRow{}
	get := func(op, kind string) *matrixRow {
		k := [2]string{op, kind}
		if rows[k] == nil {
			rows[k] = &matrixRow{Operation: op, Kind: kind, Status: map[Status]int{}, Points: make([]pointCell, len(MatrixPoints))}
		}
		return rows[k]
	}
	for _, x := range r.Results {
		if x.Section == SectionResponses {
			continue
		}
		disagree := x.Disagree
		if x.Status == Failed && len(disagree) == 0 && slices.ContainsFunc(x.Verdicts, func(v Verdict) bool { return v.Point == PointServer }) {
			disagree = []Point{PointServer} // a flow: the target is what it judges
		}
		for _, row := range []*matrixRow{get(x.Operation, ""), get(x.Operation, x.Kind)} {
			row.Cases++
			row.Status[x.Status]++
			for i, p := range MatrixPoints {
				for _, v := range x.Verdicts {
					if v.Point == p && !strings.HasPrefix(v.Verdict, "not judged") {
						row.Points[i].Judged++
					}
				}
				for _, d := range disagree {
					if d == p {
						row.Points[i].Disagreed++
					}
				}
			}
		}
	}
	out := make([]matrixRow, 0, len(rows))
	for _, row := range rows {
		out = append(out, *row)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Operation != out[j].Operation {
			return out[i].Operation < out[j].Operation
		}
		return out[i].Kind < out[j].Kind
	})
	return out
}

// WriteHTML writes the report as one self-contained HTML page (no scripts, no outside
// resources): the summary, the matrix of operations and rules against the four points, the
// failures with their verdicts and reproducers, the warnings, the response checks, and the
// cases expected to be rejected or not run.
func (r *Report) WriteHTML(w io.Writer) error {
	by := func(s Status, section string) []Result {
		var out []Result
		for _, x := range r.Results {
			if x.Status == s && (section == "" || x.Section == section) {
				out = append(out, x)
			}
		}
		return out
	}
	var responses []Result
	for _, x := range r.Results {
		if x.Section == SectionResponses {
			responses = append(responses, x)
		}
	}
	return reportPage.Execute(w, map[string]any{
		"Report":    r,
		"Summary":   r.Summary(),
		"Failed":    r.Failed(),
		"Points":    MatrixPoints,
		"Matrix":    r.matrix(),
		"Failures":  by(Failed, ""),
		"Expected":  by(ExpectedRejection, ""),
		"Warnings":  by(Warning, ""),
		"NotRun":    by(NotRun, ""),
		"Responses": responses,
		"Passed":    Passed, "FailedS": Failed, "ExpectedS": ExpectedRejection, "NotRunS": NotRun,
	})
}
