// Package emulator starts the in-process emulator the conformance suite runs against by
// default: a fresh in-memory store, the built-in fixtures, and the fixtures' credentials.
package emulator

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"

	"github.com/apiclab/apic/conformance"
	"github.com/apiclab/apic/server"
	"github.com/apiclab/apic/server/fixtures"
	"github.com/apiclab/apic/server/store"
)

// The built-in fixtures' ids and credentials (server/fixtures/default.yaml).
const (
	Project      = "73d69ae0cfcf460190522d06b60f05ad"
	Instance     = "eddc4d25480b4cd6b512f270a1b8b341"
	Token        = "emulator-token"
	AK           = "EMULATORACCESSKEY001"
	SK           = "emulator-secret-key-0001"
	OtherProject = "8f8d16a7d5c04bbf9e2c8a6e4f2b1c01"
	OtherToken   = "other-project-token"
	// GlobalGroup is the fixtures' second ROMA group, a global one: its APIs name an
	// integration app, App.
	GlobalGroup = "4d1f6c7a0a7d4f1b9a2b6c3d8e9f0a1b"
	App         = "f77f5e81d9cb4424bf704ef2b0ac7690"
	VPCChannel  = "e3bb08a4ef6f4a8d8ba1d1dc8d4cb0a6"
	// APIGOtherGroup is the fixtures' second legacy (APIG) group.
	APIGOtherGroup = "9b2e4c6a8d0f4e1ab3c5d7e9f1a2b4c6"
)

// Start serves a fresh emulator on a loopback port, so that the suite exercises real HTTP,
// and returns a target with every credential the suite can use. stop shuts it down.
func Start(ctx context.Context) (t conformance.Target, stop func(), err error) {
	return StartWith(ctx, nil)
}

// StartWith is Start with the emulator's handler wrapped by wrap (nil: as it is), for
// putting a deliberate deviation between the suite and the emulator.
func StartWith(ctx context.Context, wrap func(http.Handler) http.Handler) (t conformance.Target, stop func(), err error) {
	st, err := store.Open(ctx, ":memory:")
	if err != nil {
		return t, nil, err
	}
	srv, err := server.New(server.Options{Store: st, Fixtures: fixtures.Default(),
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		st.Close()
		return t, nil, err
	}
	h := srv.Handler()
	if wrap != nil {
		h = wrap(h)
	}
	hs := httptest.NewServer(h)
	t = conformance.Target{
		Name: "in-process emulator", BaseURL: hs.URL,
		Token: Token, AK: AK, SK: SK,
		ProjectID: Project, InstanceID: Instance,
		OtherProjectID: OtherProject, OtherToken: OtherToken,
		OtherGroupID: GlobalGroup, OtherAPIGGroupID: APIGOtherGroup, AppID: App, VPCChannelID: VPCChannel,
	}
	return t, func() { hs.Close(); st.Close() }, nil
}
