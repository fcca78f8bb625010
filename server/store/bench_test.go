package store

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/apiclab/apic/server/store/storetest"
)

// Concurrent creates on a SQLite file, as the emulator's handlers send them, from 2 and from
// 64 writers; reports the CPU time of a create besides the wall time.
func BenchmarkSQLiteCreate(b *testing.B) {
	for _, par := range []int{1, 32} {
		b.Run(fmt.Sprintf("writers=%d", par*runtime.GOMAXPROCS(0)), func(b *testing.B) { benchCreate(b, par) })
	}
}

func benchCreate(b *testing.B, par int) {
	s, err := Open(context.Background(), filepath.Join(b.TempDir(), "db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	doc := make([]byte, 1400) // the size of a stored load-script API
	for i := range doc {
		doc[i] = 'a' + byte(i%26)
	}
	var n atomic.Int64
	b.SetParallelism(par)
	report := storetest.MeasureCPU(b)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			now := time.Now()
			a := API{Product: ROMA, Project: "73d69ae0cfcf460190522d06b60f05ad", Instance: "eddc4d25480b4cd6b512f270a1b8b341",
				ID: fmt.Sprintf("%016x%016x", now.UnixNano(), i), GroupID: "c77f5e81d9cb4424bf704ef2b0ac7600",
				Name: fmt.Sprintf("bench_%d", i), Method: "GET", URI: fmt.Sprintf("/bench/%d", i), MatchMode: "NORMAL",
				Doc: doc, Created: now, Updated: now}
			if err := s.Create(context.Background(), a); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.StopTimer()
	report()
}
