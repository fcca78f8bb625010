// Command quickstart creates an API in ROMA Connect APIC, reads it back, finds it in the list
// (walking every page with the iterator), deletes it, and shows how a vendor error reaches the
// caller. It signs its requests with AK/SK. It is a module of its own that
// imports only the generated client packages, so its go.mod lists what a program embedding
// the client pulls in; the emulator's tests build and run it.
//
//	APIC_ENDPOINT=http://127.0.0.1:8080 APIC_AK=EMULATORACCESSKEY001 \
//	APIC_SK=emulator-secret-key-0001 APIC_PROJECT=73d69ae0cfcf460190522d06b60f05ad \
//	APIC_INSTANCE=eddc4d25480b4cd6b512f270a1b8b341 go run .
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/apiclab/apic/generated/apiclient"
	"github.com/apiclab/apic/generated/romaapic"
	"github.com/apiclab/apic/generated/validation"
)

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }

func run(_ []string, _ io.Reader, stdout, stderr io.Writer) int {
	if err := quickstart(context.Background(), stdout); err != nil {
		fmt.Fprintln(stderr, "quickstart:", err)
		return 1
	}
	return 0
}

func quickstart(ctx context.Context, out io.Writer) error {
	env := map[string]string{}
	for _, k := range []string{"APIC_ENDPOINT", "APIC_AK", "APIC_SK", "APIC_PROJECT", "APIC_INSTANCE"} {
		if env[k] = os.Getenv(k); env[k] == "" {
			return fmt.Errorf("%s is not set", k)
		}
	}
	project, instance := env["APIC_PROJECT"], env["APIC_INSTANCE"]
	c, err := romaapic.New(env["APIC_ENDPOINT"],
		apiclient.WithAKSK(env["APIC_AK"], env["APIC_SK"], project),
		apiclient.WithRetry(apiclient.Retry{Attempts: 3}))
	if err != nil {
		return err
	}

	name := fmt.Sprintf("quickstart_%d", time.Now().UnixNano()%1_000_000)
	body := romaapic.CreateApiV2Request{
		Name:        name,
		Type:        romaapic.CreateApiV2RequestTypePublic,
		ReqProtocol: new(romaapic.CreateApiV2RequestReqProtocolHTTPS),
		ReqMethod:   "GET", // the pages list no values (ledger ROMA-024)
		ReqUri:      "/quickstart/" + name,
		AuthType:    romaapic.CreateApiV2RequestAuthTypeNONE,
		BackendType: romaapic.CreateApiV2RequestBackendTypeMOCK,
		GroupId:     "c77f5e81d9cb4424bf704ef2b0ac7600",
		MockInfo:    &romaapic.ApiMockCreate{ResultContent: new("hello")},
	}
	created, err := c.CreateApiV2WithResponse(ctx, project, instance, body)
	if err != nil {
		return fmt.Errorf("create: %w", err)
	}
	id := *created.JSON201.Id
	fmt.Fprintf(out, "created %s (%s)\n", *created.JSON201.Name, id)

	shown, err := c.ShowDetailsOfApiV1WithResponse(ctx, project, instance, id)
	if err != nil {
		return fmt.Errorf("show: %w", err)
	}
	fmt.Fprintf(out, "shown %s %s %s\n", *shown.JSON200.Name, *shown.JSON200.ReqMethod, *shown.JSON200.ReqUri)

	// ListApisV2All walks every page (here of 2 APIs each), asking for the next one as the
	// loop needs it; an error ends the loop.
	matches, found := 0, false
	for api, err := range c.ListApisV2All(ctx, project, instance, &romaapic.ListApisV2Params{Name: new("quickstart_"), Limit: new(int32(2))}) {
		if err != nil {
			return fmt.Errorf("list: %w", err)
		}
		matches++
		found = found || *api.Id == id
	}
	fmt.Fprintf(out, "listed %d API(s) named quickstart_*, %s among them: %t\n", matches, name, found)

	// A body that breaks a documented rule is refused before it is sent.
	body.Name = "x"
	_, err = c.CreateApiV2WithResponse(ctx, project, instance, body)
	if v, ok := validation.AsErrors(err); ok {
		fmt.Fprintf(out, "not sent: %s %s\n", v[0].Path, v[0].Rule)
	} else {
		return fmt.Errorf("a one-character name was not refused: %v", err)
	}

	deleted, err := c.DeleteApiV2WithResponse(ctx, project, instance, id)
	if err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	fmt.Fprintf(out, "deleted %s: status %d\n", id, deleted.StatusCode())

	// Every non-2xx answer is a *romaapic.Error: here, the API just deleted is not found.
	_, err = c.ShowDetailsOfApiV1WithResponse(ctx, project, instance, id)
	var vendor *romaapic.Error
	if !errors.As(err, &vendor) {
		return fmt.Errorf("show of a deleted API: want a vendor error, got %v", err)
	}
	fmt.Fprintf(out, "vendor error: status %d, code %s, request id set: %t\n", vendor.StatusCode, vendor.Code, vendor.RequestID != "")
	return nil
}
