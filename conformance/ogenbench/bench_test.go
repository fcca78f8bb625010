package ogenbench

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/go-faster/jx"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/conformance"
	ogenapig "github.com/apiclab/apic/conformance/ogenbench/apig"
	ogenroma "github.com/apiclab/apic/conformance/ogenbench/roma"
	"github.com/apiclab/apic/generated/apig"
	"github.com/apiclab/apic/generated/romaapic"
)

// decoders holds, per request body schema ("<spec>/<schema>"), the two ways to decode and
// validate a body: ours (the generated DecodeJSON) and ogen's.
var decoders = map[string]struct{ ours, ogen func([]byte) error }{
	"roma-apic/CreateApiV2Request": {
		ours: func(data []byte) error { var r romaapic.CreateApiV2Request; return r.DecodeJSON(data) },
		ogen: func(data []byte) error { var r ogenroma.CreateApiV2Request; return ogenDecode(data, &r) },
	},
	"apig/CreateApiRequest": {
		ours: func(data []byte) error { var r apig.CreateApiRequest; return r.DecodeJSON(data) },
		ogen: func(data []byte) error { var r ogenapig.CreateApiRequest; return ogenDecode(data, &r) },
	},
}

// ogenDecode does what ogen's generated server does with a JSON request body: decode it,
// refuse trailing data, validate.
func ogenDecode[T interface {
	Decode(*jx.Decoder) error
	Validate() error
}](data []byte, v T) error {
	d := jx.DecodeBytes(data)
	if err := v.Decode(d); err != nil {
		return err
	}
	if err := d.Skip(); err != io.EOF {
		return errors.New("unexpected trailing data")
	}
	return v.Validate()
}

// cpuTime is the CPU time the process has used (all its threads, the garbage collector's
// included). Per operation, it stays put when other work on the machine takes the processors
// away, where the wall-clock ns/op grows.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

type body struct {
	name       string
	data       []byte
	ours, ogen func([]byte) error
	// advisory is the ledger entry of an advisory rule the body breaks: ogen reads the rule
	// as the pages' letter and refuses the body after decoding it.
	advisory string
}

func bodies(tb testing.TB) []body {
	all, err := conformance.CreateBodies()
	require.NoError(tb, err)
	var out []body
	for _, b := range all {
		dec, ok := decoders[b.Spec.Name+"/"+b.Schema]
		require.True(tb, ok, "no decoders for %s/%s: add them to the table", b.Spec.Name, b.Schema)
		out = append(out, body{name: b.Spec.Name + "-" + b.Name, data: b.Data, ours: dec.ours, ogen: dec.ogen, advisory: b.Advisory})
	}
	require.NotEmpty(tb, out)
	return out
}

// Both decoders accept every documented create body, so that each benchmark measures the
// whole decode and validation, not an early exit; ogen refuses, in its validation, a body that
// breaks an advisory rule.
func TestBothAcceptTheBodies(t *testing.T) {
	for _, b := range bodies(t) {
		require.NoError(t, b.ours(b.data), "ours, %s", b.name)
		if b.advisory == "" {
			require.NoError(t, b.ogen(b.data), "ogen, %s", b.name)
		} else {
			require.ErrorContains(t, b.ogen(b.data), "no regex match", "ogen, %s (ledger %s)", b.name, b.advisory)
		}
	}
}

// The ogen code in roma/ and apig/ was generated from the specs as they are (go generate).
func TestOgenCodeIsCurrent(t *testing.T) {
	sums, err := os.ReadFile("specs.sha256")
	require.NoError(t, err)
	for _, line := range strings.Split(strings.TrimSpace(string(sums)), "\n") {
		want, file, ok := strings.Cut(line, "  ")
		require.True(t, ok, line)
		data, err := os.ReadFile(file)
		require.NoError(t, err)
		sum := sha256.Sum256(data)
		require.Equal(t, want, hex.EncodeToString(sum[:]), "%s changed since the ogen code was generated: run go generate in conformance/ogenbench", file)
	}
}

// Decoding and validating each documented create body: ours (impl=ours) and ogen's
// (impl=ogen). Compare with benchstat -col /impl (make bench-decode).
func BenchmarkCreateBody(b *testing.B) {
	for _, body := range bodies(b) {
		b.Run("body="+body.name, func(b *testing.B) {
			for _, impl := range []struct {
				name    string
				decode  func([]byte) error
				refuses bool
			}{{"ours", body.ours, false}, {"ogen", body.ogen, body.advisory != ""}} {
				b.Run("impl="+impl.name, func(b *testing.B) {
					b.ReportAllocs()
					start := cpuTime(b)
					for b.Loop() {
						if err := impl.decode(body.data); (err != nil) != impl.refuses {
							b.Fatal(err)
						}
					}
					b.ReportMetric(float64(cpuTime(b)-start)/float64(b.N), "cpu-ns/op")
				})
			}
		})
	}
}
