// Package breaking reports the changes between two versions of a spec that break code
// embedding the generated client, with oasdiff's rule IDs.
package breaking

import (
	"fmt"
	"sort"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/oasdiff/oasdiff/checker"
	"github.com/oasdiff/oasdiff/diff"
	"github.com/oasdiff/oasdiff/load"
)

// promoted are oasdiff checks that oasdiff does not rank as errors but that change or remove a
// generated Go type, field or constant, and so break code that embeds the client.
var promoted = map[string]checker.Level{
	"request-property-removed":                checker.ERR, // field of the request struct removed
	"request-parameter-removed":               checker.ERR, // parameter of the client method removed
	"request-parameter-property-type-changed": checker.ERR,
	"response-optional-property-removed":      checker.ERR, // field of the response struct removed
	"response-property-enum-value-removed":    checker.ERR, // generated enum constant removed
	"response-mediatype-enum-value-removed":   checker.ERR,
	"response-property-type-specialized":      checker.ERR, // e.g. number -> integer: field type changes
	"response-body-type-specialized":          checker.ERR,
	"response-property-one-of-removed":        checker.ERR, // union branch (and its accessors) removed
	"response-body-one-of-removed":            checker.ERR,
	"request-property-one-of-added":           checker.ERR, // union type changes shape
}

// Change is one difference between the base and the revision.
type Change struct {
	ID        string `json:"id"`
	Breaking  bool   `json:"breaking"`
	Operation string `json:"operation"` // "POST /path"
	OpID      string `json:"operationId"`
	Message   string `json:"message"`
}

func (c Change) String() string {
	kind := "warning"
	if c.Breaking {
		kind = "breaking"
	}
	if c.OpID == "" {
		return fmt.Sprintf("%s %s %s: %s", kind, c.ID, c.Operation, c.Message)
	}
	return fmt.Sprintf("%s %s %s (%s): %s", kind, c.ID, c.Operation, c.OpID, c.Message)
}

func loadSpec(name string, data []byte) (*openapi3.T, error) {
	loader := openapi3.NewLoader()
	loader.IsExternalRefsAllowed = false
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return doc, nil
}

// Compare lists the changes from base to revision at oasdiff's warning level or above, and
// the changes of x- rules, rule grades and defaults, which oasdiff does not read (xrules.go);
// Breaking marks the errors (with the promotions above).
func Compare(base, revision []byte) ([]Change, error) {
	s1, err := loadSpec("base", base)
	if err != nil {
		return nil, err
	}
	s2, err := loadSpec("revision", revision)
	if err != nil {
		return nil, err
	}
	d, sources, err := diff.GetWithOperationsSourcesMap(diff.NewConfig(),
		&load.SpecInfo{Url: "base", Spec: s1}, &load.SpecInfo{Url: "revision", Spec: s2})
	if err != nil {
		return nil, err
	}
	cfg := checker.NewConfig(checker.GetAllChecks(), checker.WithSeverityLevels(promoted))
	l := checker.NewDefaultLocalizer()
	var out []Change
	for _, c := range checker.CheckBackwardCompatibilityUntilLevel(cfg, d, sources, checker.WARN) {
		out = append(out, Change{ID: c.GetId(), Breaking: c.GetLevel() == checker.ERR,
			Operation: c.GetOperation() + " " + c.GetPath(), OpID: c.GetOperationId(), Message: c.GetUncolorizedText(l)})
	}
	out = append(out, compareRules(s1, s2)...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Breaking != out[j].Breaking {
			return out[i].Breaking
		}
		return out[i].OpID+out[i].ID < out[j].OpID+out[j].ID
	})
	return out, nil
}
