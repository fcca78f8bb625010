package lint

import (
	"io"

	"github.com/owenrumney/go-sarif/v3/pkg/report"
	"github.com/owenrumney/go-sarif/v3/pkg/report/v210/sarif"
)

// sarif writes a SARIF 2.1.0 log for code-scanning UIs: every rule in the driver, each
// finding as a result located by line and column, and each waived finding as a result
// with an accepted suppression carrying the waiver's reason. A warning is reported at
// level "error" when FailOn makes it fail the run.
func (r *Result) sarif(w io.Writer) error {
	log := report.NewV210Report()
	run := sarif.NewRunWithInformationURI("apiclint", "https://github.com/apiclab/apic/blob/main/spec/README.md")
	for _, rule := range rules {
		run.AddRule(rule.ID).WithDescription(rule.Purpose).
			WithDefaultConfiguration(sarif.NewReportingConfiguration().WithLevel(string(rule.Severity)))
	}
	result := func(d Diagnostic) *sarif.Result {
		level := "warning"
		if r.Fails(d.Severity) {
			level = "error"
		}
		run.AddDistinctArtifact(d.File)
		region := sarif.NewRegion().WithStartLine(max(d.Line, 1)).WithStartColumn(max(d.Column, 1))
		return run.CreateResultForRule(d.Rule).WithLevel(level).
			WithMessage(sarif.NewTextMessage(d.Message)).
			AddLocation(sarif.NewLocationWithPhysicalLocation(sarif.NewPhysicalLocation().
				WithArtifactLocation(sarif.NewSimpleArtifactLocation(d.File)).WithRegion(region)))
	}
	for _, d := range r.Findings {
		result(d)
	}
	for _, d := range r.Waived {
		result(d.Diagnostic).AddSuppression(sarif.NewSuppression().WithKind("external").
			WithStatus("accepted").WithJustification(d.Reason))
	}
	log.AddRun(run)
	if err := log.PrettyWrite(w); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
