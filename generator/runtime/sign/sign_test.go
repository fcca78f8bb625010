package sign

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var now = time.Date(2026, 11, 24, 10, 0, 0, 0, time.UTC)

func secrets(ak string) (string, bool) {
	if ak == "AK1" {
		return "SK1", true
	}
	return "", false
}

func signed(t *testing.T, body string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "http://emu.example.com/v2/p%201/apic/instances/i1/apis?b=2&a=1&a=0", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Project-Id", "p1")
	Sign(r, []byte(body), "AK1", "SK1", now)
	return r
}

func TestSignVerifyRoundTrip(t *testing.T) {
	r := signed(t, `{"a":1}`)
	ak, err := Verify(r, []byte(`{"a":1}`), now.Add(14*time.Minute), secrets)
	require.NoError(t, err)
	assert.Equal(t, "AK1", ak)
	assert.Contains(t, r.Header.Get("Authorization"), "SignedHeaders=x-project-id;x-sdk-date,")
}

func TestVerifyRejects(t *testing.T) {
	_, err := Verify(signed(t, `{"a":1}`), []byte(`{"a":2}`), now, secrets)
	assert.ErrorIs(t, err, ErrSignature, "body changed")
	_, err = Verify(signed(t, `{}`), []byte(`{}`), now.Add(16*time.Minute), secrets)
	assert.ErrorIs(t, err, ErrExpired)
	r := signed(t, `{}`)
	r.Header.Set("X-Project-Id", "p2")
	_, err = Verify(r, []byte(`{}`), now, secrets)
	assert.ErrorIs(t, err, ErrSignature, "signed header changed")
	r = signed(t, `{}`)
	r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "AK1", "AK9", 1))
	_, err = Verify(r, []byte(`{}`), now, secrets)
	assert.ErrorIs(t, err, ErrUnknownAK)
	_, err = Verify(httptest.NewRequest(http.MethodGet, "/", nil), nil, now, secrets)
	assert.ErrorIs(t, err, ErrMissing)
}

// The canonical request follows the official SDK byte for byte: escaped path segments with a
// trailing slash, sorted and escaped query, signed headers, and the body hash.
func TestCanonicalRequestMatchesTheSDKLayout(t *testing.T) {
	body := `{"a":1}`
	r := signed(t, body)
	bodySum := sha256.Sum256([]byte(body))
	cr := "POST\n/v2/p%201/apic/instances/i1/apis/\na=0&a=1&b=2\n" +
		"x-project-id:p1\nx-sdk-date:20261124T100000Z\n\nx-project-id;x-sdk-date\n" + hex.EncodeToString(bodySum[:])
	crSum := sha256.Sum256([]byte(cr))
	mac := hmac.New(sha256.New, []byte("SK1"))
	mac.Write([]byte("SDK-HMAC-SHA256\n20261124T100000Z\n" + hex.EncodeToString(crSum[:])))
	assert.Contains(t, r.Header.Get("Authorization"), "Signature="+hex.EncodeToString(mac.Sum(nil)))
}

// A signature covers the body: a different body with a content-hash header that was not signed,
// or that does not match the body, is refused.
func TestBodyCannotBeSwapped(t *testing.T) {
	r := signed(t, `{"a":1}`)
	sum := sha256.Sum256([]byte(`{"a":1}`))
	r.Header.Set("X-Sdk-Content-Sha256", hex.EncodeToString(sum[:]))
	_, err := Verify(r, []byte(`{"a":2}`), now, secrets)
	assert.ErrorIs(t, err, ErrSignature)

	// Signed and matching: accepted.
	body := []byte(`{"b":1}`)
	r2 := httptest.NewRequest(http.MethodPost, "http://emu.example.com/x", strings.NewReader(string(body)))
	sum = sha256.Sum256(body)
	r2.Header.Set("X-Sdk-Content-Sha256", hex.EncodeToString(sum[:]))
	Sign(r2, body, "AK1", "SK1", now)
	_, err = Verify(r2, body, now, secrets)
	assert.NoError(t, err)
	_, err = Verify(r2, []byte(`{"b":2}`), now, secrets)
	assert.ErrorIs(t, err, ErrSignature)
}
