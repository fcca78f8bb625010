package conformance

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"sync"
)

// lastRequest keeps the last request a case sent, for its reproducer.
type lastRequest struct {
	mu     sync.Mutex
	method string
	url    string
	header http.Header
	body   []byte
}

type captureKey struct{}

func withCapture(ctx context.Context, l *lastRequest) context.Context {
	return context.WithValue(ctx, captureKey{}, l)
}

// capture records req, whose body is body, in the lastRequest of its context, if any.
func capture(req *http.Request, body []byte) {
	l, ok := req.Context().Value(captureKey{}).(*lastRequest)
	if !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.method, l.url, l.header, l.body = req.Method, req.URL.String(), req.Header.Clone(), body
}

// curl returns a shell command that sends the request again: to base instead of the
// target's URL when base is set. A token that secrets names is printed as the shell text it
// maps to ("$APICCONF_TOKEN"), so that no secret is printed. An AK/SK signature cannot be
// replayed (it covers the time): a signed request is shown with the token instead, and says
// so. "" when the case sent nothing.
func (l *lastRequest) curl(target, base string, secrets map[string]string) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.method == "" {
		return ""
	}
	u := l.url
	if base != "" {
		u = strings.TrimSuffix(base, "/") + strings.TrimPrefix(u, strings.TrimSuffix(target, "/"))
	}
	parts := []string{"curl", "-sS", "-i", "-X", l.method, shellQuote(u)}
	names := make([]string, 0, len(l.header))
	for k := range l.header {
		names = append(names, k)
	}
	sort.Strings(names)
	signed := false
	for _, k := range names {
		switch k {
		case "Authorization", "X-Sdk-Date":
			signed = true
			continue
		case "Host", "User-Agent", "Content-Length", "Accept-Encoding":
			continue
		}
		for _, v := range l.header[k] {
			if shown, ok := secrets[v]; ok && k == "X-Auth-Token" {
				parts = append(parts, "-H", `"X-Auth-Token: `+shown+`"`)
				continue
			}
			parts = append(parts, "-H", shellQuote(k+": "+v))
		}
	}
	if signed && l.header.Get("X-Auth-Token") == "" {
		parts = append(parts, "-H", `"X-Auth-Token: $APICCONF_TOKEN"`)
	}
	if len(l.body) > 0 {
		parts = append(parts, "--data-raw", shellQuote(string(l.body)))
	}
	if signed {
		parts = append(parts, "# sent signed with AK/SK; shown with a token")
	}
	return strings.Join(parts, " ")
}

// shellQuote quotes s for a POSIX shell.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// pointsOf turns the names of the points that disagree ("server", "generated (not for
// maxLength at name)") into points.
func pointsOf(bad []string) []Point {
	out := make([]Point, 0, len(bad))
	for _, b := range bad {
		name, _, _ := strings.Cut(b, " ")
		out = append(out, Point(name))
	}
	return out
}
