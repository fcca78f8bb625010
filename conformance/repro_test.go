package conformance

import (
	"bytes"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func captured(t *testing.T, method, url string, body string, header map[string]string) *lastRequest {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	l := &lastRequest{}
	capture(req.WithContext(withCapture(req.Context(), l)), []byte(body))
	return l
}

func TestReproducer(t *testing.T) {
	l := captured(t, "POST", "https://svc.example/v1.0/apigw/apis", `{"name":"it's"}`,
		map[string]string{"X-Auth-Token": "s3cret", "Content-Type": "application/json", "X-Project-Id": "p1"})
	assert.Equal(t, `curl -sS -i -X POST 'https://svc.example/v1.0/apigw/apis' -H 'Content-Type: application/json' -H "X-Auth-Token: $APICCONF_TOKEN" -H 'X-Project-Id: p1' --data-raw '{"name":"it'\''s"}'`,
		l.curl("https://svc.example", "", map[string]string{"s3cret": "$APICCONF_TOKEN"}))
	// Another base, credentials as sent (the emulator's public fixtures).
	assert.Equal(t, `curl -sS -i -X POST 'http://127.0.0.1:8080/v1.0/apigw/apis' -H 'Content-Type: application/json' -H 'X-Auth-Token: s3cret' -H 'X-Project-Id: p1' --data-raw '{"name":"it'\''s"}'`,
		l.curl("https://svc.example", "http://127.0.0.1:8080", nil))
	// A signed request is shown with the token, and says so.
	signed := captured(t, "GET", "https://svc.example/x", "", map[string]string{"Authorization": "SDK-HMAC-SHA256 ...", "X-Sdk-Date": "20261129T000000Z"})
	assert.Equal(t, `curl -sS -i -X GET 'https://svc.example/x' -H "X-Auth-Token: $APICCONF_TOKEN" # sent signed with AK/SK; shown with a token`,
		signed.curl("https://svc.example", "", nil))
	assert.Equal(t, "", (&lastRequest{}).curl("https://svc.example", "", nil), "nothing sent, nothing to reproduce")
}

// The HTML matrix counts cases per operation and rule at each of the four points, and
// marks the points that disagreed.
func TestHTMLMatrix(t *testing.T) {
	rep := &Report{Target: "test", Responses: 1, Results: []Result{
		{ID: "rules/A/x/name/maxLength/over", Section: SectionRules, Operation: "A", Kind: "maxLength", Status: Failed,
			Message: "want invalid; disagrees at server", Disagree: []Point{PointServer}, Reproducer: "curl -X POST 'http://x/a'",
			Verdicts: []Verdict{{PointOracle, "reject"}, {PointGenerated, "reject"}, {PointClient, "reject"}, {PointServer, "accept: 201"}}},
		{ID: "rules/A/x/name/pattern/bad", Section: SectionRules, Operation: "A", Kind: "x-required-if", Status: Passed,
			Verdicts: []Verdict{{PointOracle, "not judged: kin-openapi does not read x-required-if"}, {PointGenerated, "reject"}, {PointClient, "reject"}, {PointServer, "reject: 400"}}},
		{ID: "responses/A/201", Section: SectionResponses, Operation: "A", Kind: "response", Status: Passed, Count: 1},
	}}
	rows := rep.matrix()
	require.Len(t, rows, 3)
	assert.Equal(t, matrixRow{Operation: "A", Kind: "", Cases: 2, Status: map[Status]int{Failed: 1, Passed: 1},
		Points: []pointCell{{1, 0}, {2, 0}, {2, 0}, {2, 1}}}, rows[0])
	assert.Equal(t, []pointCell{{1, 0}, {1, 0}, {1, 0}, {1, 1}}, rows[1].Points)
	assert.Equal(t, []pointCell{{0, 0}, {1, 0}, {1, 0}, {1, 0}}, rows[2].Points)

	var b bytes.Buffer
	require.NoError(t, rep.WriteHTML(&b))
	page := b.String()
	assert.Contains(t, page, rep.Summary())
	assert.Contains(t, page, `<td class="bad">1 (1 disagree)</td>`)
	assert.Contains(t, page, `<tr class="disagree"><td>server</td><td>accept: 201</td></tr>`)
	assert.Contains(t, page, `<pre class="repro">curl -X POST &#39;http://x/a&#39;</pre>`)
}
