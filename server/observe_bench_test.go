package server_test

import (
	"io"
	"log/slog"
	"testing"

	"github.com/apiclab/apic/server"
)

// The cheapest request (a cached query) with the request log off, and on in each format (to
// io.Discard: the cost of the line, not of the disk): what one log line a request costs.
func BenchmarkShowLogged(b *testing.B) {
	for _, c := range []struct {
		name string
		log  *slog.Logger
	}{
		{"off", slog.New(slog.DiscardHandler)},
		{"text", slog.New(slog.NewTextHandler(io.Discard, nil))},
		{"json", slog.New(slog.NewJSONHandler(io.Discard, nil))},
	} {
		b.Run(c.name, func(b *testing.B) {
			h := benchHandler(b, server.Options{Logger: c.log})
			path := benchQueryPath(b, h)
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				benchGet(b, h, path)
			}
		})
	}
}
