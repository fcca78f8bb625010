package conformance

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
)

// The response checks notice what the schemas let through: an answer without a request id,
// another JSON media type, ids and times of another form.
func TestResponseFormsAndTransport(t *testing.T) {
	assert.Equal(t, "no X-Request-Id header", checkTransport(http.Header{}))
	assert.Empty(t, checkTransport(http.Header{"X-Request-Id": {"0a"}}))

	good := map[string]any{"id": "0123456789abcdef0123456789abcdef", "register_time": "2026-11-24T10:00:00.123456789Z"}
	assert.Empty(t, checkForms(good))
	assert.Empty(t, checkForms(map[string]any{"apis": []any{good}, "total": 1.0}))
	for name, bad := range map[string]any{
		"short id":       map[string]any{"id": "1234"},
		"upper-case id":  map[string]any{"id": "0123456789ABCDEF0123456789ABCDEF"},
		"not a time":     map[string]any{"update_time": "yesterday"},
		"in a list item": map[string]any{"apis": []any{good, map[string]any{"id": "x"}}},
	} {
		assert.NotEmpty(t, checkForms(bad), name)
	}
}
