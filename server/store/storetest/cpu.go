package storetest

import (
	"testing"
	"time"
)

// MeasureCPU starts measuring the CPU time (user and system) of the whole process; report,
// called when the benchmark's loop is done, reports it per operation as "cpu-µs/op". On a
// shared machine the wall time of an operation says little about what it costs; the CPU time
// includes the work of every goroutine it caused (a group commit, the garbage collector).
func MeasureCPU(b *testing.B) (report func()) {
	start, ok := cpuTime()
	return func() {
		if end, ok2 := cpuTime(); ok && ok2 && b.N > 0 {
			b.ReportMetric(float64(end-start)/float64(time.Microsecond)/float64(b.N), "cpu-µs/op")
		}
	}
}
