package main

import (
	"fmt"
	"io"
	"log/slog"

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
