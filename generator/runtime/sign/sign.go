// Package sign is the SDK-HMAC-SHA256 AK/SK request signature that the official Huawei Cloud
// SDKs send: Sign is the client side (the generated clients' AK/SK option, the conformance
// suite), Verify the server side (the emulator). Both build the canonical request with the same
// code, and a test in server/sdktest checks Sign against the official SDK's signer.
package sign

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"
)

// Algorithm is the only signing algorithm the service accepts.
const Algorithm = "SDK-HMAC-SHA256"

// DateFormat is the layout of the X-Sdk-Date header.
const DateFormat = "20060102T150405Z"

// MaxSkew is how far X-Sdk-Date may be from the server's clock.
const MaxSkew = 15 * time.Minute

// Errors of Verify; the server maps them to the vendor's codes.
var (
	ErrMissing   = errors.New("no credentials")
	ErrMalformed = errors.New("malformed Authorization header")
	ErrUnknownAK = errors.New("unknown access key")
	ErrSignature = errors.New("signature does not match")
	ErrExpired   = errors.New("X-Sdk-Date is missing or more than 15 minutes off")
)

// Sign adds X-Sdk-Date and Authorization to r, signing every header r has (but Content-Type
// and names with an underscore, as the SDK does) and body, which must be r's body. Headers the
// transport adds later (User-Agent, Content-Length) are not signed; set Host in r.Header to sign
// the host, as the SDK does.
func Sign(r *http.Request, body []byte, ak, sk string, now time.Time) {
	r.Header.Set("X-Sdk-Date", now.UTC().Format(DateFormat))
	var signed []string
	for name := range r.Header {
		lower := strings.ToLower(name)
		if strings.HasPrefix(lower, "content-type") || strings.Contains(lower, "_") || lower == "authorization" {
			continue
		}
		signed = append(signed, lower)
	}
	sort.Strings(signed)
	sig := signature(r, body, signed, sk)
	r.Header.Set("Authorization", Algorithm+" Access="+ak+", SignedHeaders="+strings.Join(signed, ";")+", Signature="+sig)
}

// Verify checks r's AK/SK signature over body. secret returns the SK of an access key. It
// returns the access key on success.
func Verify(r *http.Request, body []byte, now time.Time, secret func(ak string) (string, bool)) (string, error) {
	h := r.Header.Get("Authorization")
	if h == "" {
		return "", ErrMissing
	}
	rest, ok := strings.CutPrefix(h, Algorithm+" ")
	if !ok {
		return "", ErrMalformed
	}
	var ak, signedList, sig string
	for _, part := range strings.Split(rest, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		if !ok {
			return "", ErrMalformed
		}
		switch k {
		case "Access":
			ak = v
		case "SignedHeaders":
			signedList = v
		case "Signature":
			sig = v
		}
	}
	if ak == "" || sig == "" || signedList == "" {
		return "", ErrMalformed
	}
	sk, ok := secret(ak)
	if !ok {
		return ak, ErrUnknownAK
	}
	t, err := time.Parse(DateFormat, r.Header.Get("X-Sdk-Date"))
	if err != nil || t.Sub(now) > MaxSkew || now.Sub(t) > MaxSkew {
		return ak, ErrExpired
	}
	signed := strings.Split(signedList, ";")
	// X-Sdk-Content-Sha256 stands for the body hash only when the caller signed it, and it
	// must then be the body's hash or UNSIGNED-PAYLOAD (which the SDK sends for non-JSON
	// bodies); otherwise a captured signature could carry another body.
	if h := r.Header.Get("X-Sdk-Content-Sha256"); h != "" {
		sum := sha256.Sum256(body)
		if !slices.Contains(signed, "x-sdk-content-sha256") || (h != "UNSIGNED-PAYLOAD" && h != hex.EncodeToString(sum[:])) {
			return ak, ErrSignature
		}
	}
	want := signature(r, body, signed, sk)
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return ak, ErrSignature
	}
	return ak, nil
}

// signature computes the hex signature of r over the listed (lower-case) headers.
func signature(r *http.Request, body []byte, signed []string, sk string) string {
	var b strings.Builder
	b.WriteString(r.Method)
	b.WriteByte('\n')
	b.WriteString(canonicalURI(r.URL.Path))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(r))
	b.WriteByte('\n')
	for _, name := range signed {
		values := r.Header.Values(name)
		if name == "host" && len(values) == 0 {
			values = []string{r.Host}
		}
		values = append([]string(nil), values...)
		sort.Strings(values)
		for _, v := range values {
			b.WriteString(name)
			b.WriteByte(':')
			b.WriteString(strings.TrimSpace(v))
			b.WriteByte('\n')
		}
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signed, ";"))
	b.WriteByte('\n')
	if h := r.Header.Get("X-Sdk-Content-Sha256"); h != "" {
		b.WriteString(h)
	} else {
		sum := sha256.Sum256(body)
		b.WriteString(hex.EncodeToString(sum[:]))
	}
	cr := sha256.Sum256([]byte(b.String()))
	toSign := Algorithm + "\n" + r.Header.Get("X-Sdk-Date") + "\n" + hex.EncodeToString(cr[:])
	mac := hmac.New(sha256.New, []byte(sk))
	mac.Write([]byte(toSign))
	return hex.EncodeToString(mac.Sum(nil))
}

// canonicalURI escapes each path segment and ends the path with "/".
func canonicalURI(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = escape(s)
	}
	p := strings.Join(segs, "/")
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return p
}

func canonicalQuery(r *http.Request) string {
	q := r.URL.Query()
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		vals := append([]string(nil), q[k]...)
		sort.Strings(vals)
		for _, v := range vals {
			parts = append(parts, escape(k)+"="+escape(v))
		}
	}
	return strings.Join(parts, "&")
}

// escape percent-encodes every byte but the unreserved A-Z a-z 0-9 - _ . ~, upper-case hex.
func escape(s string) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~' {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}
