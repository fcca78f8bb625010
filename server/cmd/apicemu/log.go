package main

import (
	"fmt"
	"io"
	"log/slog"
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
