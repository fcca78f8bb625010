package main

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/apiclab/apic/server"
)

// newLogger returns the emulator's logger in a format: text (key=value) or json.
func newLogger(w io.Writer, format string, level slog.Level) (*slog.Logger, error) {
	opts := &slog.HandlerOptions{Level: level}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("want text or json, got %q", format)
}

// faultFlags collects the repeated --fault flag.
type faultFlags []server.Fault

func (f *faultFlags) String() string { return "" }

func (f *faultFlags) Set(v string) error {
	x, err := server.ParseFault(v)
	if err != nil {
		return err
	}
	*f = append(*f, x)
	return nil
}

// bufferedLog collects log lines and writes them out every interval, or when 64 KiB are
// waiting: one write system call a request costs more than the line itself. Close writes
// what is left.
type bufferedLog struct {
	mu   sync.Mutex
	buf  *bufio.Writer
	stop chan struct{}
	done chan struct{}
}

func newBufferedLog(w io.Writer, interval time.Duration) *bufferedLog {
	b := &bufferedLog{buf: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(b.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				b.flush()
			case <-b.stop:
				b.flush()
				return
			}
		}
	}()
	return b
}

func (b *bufferedLog) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *bufferedLog) flush() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Flush() //nolint:errcheck // a log that cannot be written has nowhere to say so
}

// Close writes what is waiting and stops the flushing.
func (b *bufferedLog) Close() error {
	close(b.stop)
	<-b.done
	return nil
}
