package conformance

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"time"
)

// Negative authentication: near misses that a lax gateway would let through. Each is sent to
// a create (the ROMA one names the project in its path, the legacy one does not), and each
// expects the code the pages document for it. A target that accepted one would create an
// API, which the run deletes at the end like any other.
var authMisses = []struct {
	name string
	// roma: only on the ROMA create (the legacy paths name no project to be refused on).
	roma   bool
	needAK bool
	status int
	code   string
}{
	{"token-prefix", false, false, 401, "APIG.1002"},
	{"token-suffix", false, false, 401, "APIG.1002"},
	{"token-one-character", false, false, 401, "APIG.1002"},
	{"token-of-another-project", true, false, 403, "APIG.1005"},
	{"date-16-minutes-early", false, true, 401, "APIG.0303"},
	{"date-16-minutes-late", false, true, 401, "APIG.0303"},
	{"body-not-the-signed-one", false, true, 401, "APIG.0301"},
	{"signed-for-another-path", false, true, 401, "APIG.0301"},
	{"signed-for-another-query", false, true, 401, "APIG.0301"},
	{"project-id-of-another-project", false, true, 403, "APIG.1005"},
}

func (r *runner) authMissJobs(add func(name, opID string, run func(context.Context, *flow))) {
	for _, opID := range []string{"CreateApiV2", "CreateApi"} {
		for _, m := range authMisses {
			if m.roma && opID != "CreateApiV2" {
				continue
			}
			add("auth-near-miss/"+opID+"/"+m.name, opID, func(ctx context.Context, f *flow) {
				r.authMiss(ctx, f, opID, m.name, m.needAK, m.status, m.code)
			})
		}
	}
}

func (r *runner) authMiss(ctx context.Context, f *flow, opID, how string, needAK bool, status int, code string) {
	switch {
	case needAK && r.t.AK == "":
		f.skip("needs an AK/SK pair (--ak, --sk)")
		return
	case !needAK && how != "token-of-another-project" && r.t.Token == "":
		f.skip("needs a token (--token)")
		return
	case how == "token-of-another-project" && r.t.OtherToken == "":
		f.skip("needs a second project's token (--other-token)")
		return
	case how == "project-id-of-another-project" && r.t.OtherProjectID == "":
		f.skip("needs a second project's id (--other-project)")
		return
	}
	where, why := r.where(ctx, opID)
	if why != "" {
		f.skip(why)
		return
	}
	tok := r.t.Token
	var auth editor
	switch how {
	case "token-prefix":
		auth = tokenEditor(tok[:len(tok)-1])
	case "token-suffix":
		auth = tokenEditor(tok + "0")
	case "token-one-character":
		b := []byte(tok)
		b[len(b)/2] ^= 1
		auth = tokenEditor(string(b))
	case "token-of-another-project":
		auth = tokenEditor(r.t.OtherToken)
	case "date-16-minutes-early":
		auth = r.signed(-16*time.Minute, nil, nil)
	case "date-16-minutes-late":
		auth = r.signed(16*time.Minute, nil, nil)
	case "body-not-the-signed-one":
		auth = r.signed(0, nil, func(req *http.Request) {
			other := []byte(`{"name":"cf_not_the_signed_body"}`)
			req.Body = io.NopCloser(bytes.NewReader(other))
			req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(other)), nil }
			req.ContentLength = int64(len(other))
		})
	case "signed-for-another-path":
		auth = r.signed(0, func(req *http.Request) { req.URL.Path += "x" }, func(req *http.Request) { req.URL.Path = req.URL.Path[:len(req.URL.Path)-1] })
	case "signed-for-another-query":
		auth = r.signed(0, func(req *http.Request) { req.URL.RawQuery = "limit=1" }, func(req *http.Request) { req.URL.RawQuery = "" })
	case "project-id-of-another-project":
		auth = r.signed(0, func(req *http.Request) { req.Header.Set("X-Project-Id", r.t.OtherProjectID) }, nil)
	}
	c, err := newClients(r.t.BaseURL, r.hc, false, auth)
	if !f.check(err == nil, "client: %v", err) {
		return
	}
	body := mustJSON(r.prepare(r.ops[opID], r.example(opID), nil))
	p, err := send(ctx, c, opID, where, body)
	f.step(how, p, err, status, code)
}

// signed signs with the target's own AK/SK pair (signWith).
func (r *runner) signed(skew time.Duration, before, after func(*http.Request)) editor {
	return r.signWith(r.t.SK, skew, before, after)
}
