package generator

import (
	"bytes"
	"fmt"
	"go/format"
	"text/template"
)

// newTemplate is new.gen.go: the constructor most programs want, configured with the options of
// the apiclient runtime package.
var newTemplate = template.Must(template.New("new").Parse(`{{.Header}}package {{.Package}}

import (
	"context"
	"net/http"

	"{{.APIClient}}"
)

// Error is the vendor error that every non-2xx answer becomes in a client made by New: the
// HTTP status, error_code, error_msg and X-Request-Id. Get it with errors.As.
type Error = apiclient.Error

// New returns a client that checks request bodies against the spec before sending them (a
// body that breaks an enforced rule is not sent: the call returns validation.Errors),
// authenticates and retries as opts say (apiclient.WithToken, apiclient.WithAKSK,
// apiclient.WithRetry), and returns every non-2xx answer as *Error, so the response it does
// return is always a success (its JSON200 or JSON201 field).
func New(server string, opts ...apiclient.Option) (*ClientWithResponses, error) {
	s := apiclient.Configure(opts...)
	co := []ClientOption{WithHTTPClient(s.Doer())}
	for _, e := range s.Editors {
		co = append(co, WithRequestEditorFn(e))
	}
	if s.Validate {
		p := s.Preflight
		co = append(co, WithRequestEditorFn(func(ctx context.Context, req *http.Request) error {
			return validateRequest(ctx, req, p)
		}))
	}
	return NewClientWithResponses(server, co...)
}
`))

func generateNew(c Config) ([]byte, error) {
	var buf bytes.Buffer
	if err := newTemplate.Execute(&buf, map[string]string{
		"Header": Header, "Package": c.Codegen.PackageName, "APIClient": c.module + "/" + ClientRuntimePackage,
	}); err != nil {
		return nil, err
	}
	src, err := format.Source(buf.Bytes())
	if err != nil {
		return nil, fmt.Errorf("new.gen.go: %w", err)
	}
	return src, nil
}
