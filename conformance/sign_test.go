package conformance

import (
	"bytes"
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/generated/apiclient"
)

type captureDoer struct{ got *http.Request }

func (c *captureDoer) Do(r *http.Request) (*http.Response, error) {
	c.got = r
	return &http.Response{StatusCode: http.StatusNoContent, Body: http.NoBody, Header: http.Header{}}, nil
}

// The suite signs as the generated client does: for the same request at the same time, its
// signing editor sends the headers the client's WithAKSK sends. The client's signer
// (generated/sign) is checked against the official SDK's in server/sdktest
// (TestSignMatchesTheOfficialSigner), so a canonicalization bug that the signer and the
// emulator's verifier shared would show there, not hide here.
func TestSuiteSignsAsTheClient(t *testing.T) {
	at := time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)
	r := &runner{t: Target{AK: "AK1", SK: "SK1", ProjectID: "p1"}, clock: func() time.Time { return at }}
	body := []byte(`{"name":"a b","req_uri":"/x"}`)
	newReq := func() *http.Request {
		req, err := http.NewRequest(http.MethodPost, "https://apig.example.com/v2/p1/apic/instances/i1/apis?x=1", bytes.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/json")
		return req
	}
	client := &captureDoer{}
	doer := apiclient.Configure(apiclient.WithAKSK("AK1", "SK1", "p1"), apiclient.WithHTTPClient(client),
		apiclient.WithClock(func() time.Time { return at })).Doer()
	_, err := doer.Do(newReq())
	require.NoError(t, err)

	suite := newReq()
	require.NoError(t, r.signEditor("SK1")(context.Background(), suite))
	for _, h := range []string{"Authorization", "X-Sdk-Date", "X-Project-Id", "Host"} {
		assert.NotEmpty(t, client.got.Header.Get(h), h)
		assert.Equal(t, client.got.Header.Get(h), suite.Header.Get(h), h)
	}
}
