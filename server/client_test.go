package server_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/generated/apiclient"
	"github.com/apiclab/apic/generated/apig"
	"github.com/apiclab/apic/generated/romaapic"
	"github.com/apiclab/apic/generated/validation"
)

// The clients made by New authenticate with a token or AK/SK, and every non-2xx answer is a
// *apiclient.Error carrying the vendor's code, message and request id.
func TestNewClientAgainstTheEmulator(t *testing.T) {
	e := start(t, storeDSNs(t)["sqlite"](t))
	ctx := context.Background()
	for name, auth := range map[string]apiclient.Option{
		"token": apiclient.WithToken(token),
		"aksk":  apiclient.WithAKSK("EMULATORACCESSKEY001", "emulator-secret-key-0001", project),
	} {
		t.Run(name, func(t *testing.T) {
			c, err := romaapic.New(e.url, auth, apiclient.WithClock(e.clock.Now))
			require.NoError(t, err)
			body := romaapic.CreateApiV2Request{Name: "client_" + name, Type: 1, ReqProtocol: ptr(romaapic.CreateApiV2RequestReqProtocol("HTTPS")),
				ReqMethod: "GET", ReqUri: "/client/" + name, AuthType: "NONE", BackendType: "MOCK",
				GroupId: "c77f5e81d9cb4424bf704ef2b0ac7600", MockInfo: &romaapic.ApiMockCreate{ResultContent: ptr("ok")}}
			created, err := c.CreateApiV2WithResponse(ctx, project, instance, body)
			require.NoError(t, err)
			require.NotNil(t, created.JSON201)
			shown, err := c.ShowDetailsOfApiV1WithResponse(ctx, project, instance, *created.JSON201.Id)
			require.NoError(t, err)
			require.NotNil(t, shown.JSON200)
			assert.Equal(t, body.Name, *shown.JSON200.Name)

			_, err = c.ShowDetailsOfApiV1WithResponse(ctx, project, instance, "00000000000000000000000000000000")
			var ve *romaapic.Error
			require.True(t, errors.As(err, &ve), "%v", err)
			assert.Equal(t, http.StatusNotFound, ve.StatusCode)
			assert.Equal(t, "APIG.3002", ve.Code)
			assert.NotEmpty(t, ve.Message)
			assert.NotEmpty(t, ve.RequestID)

			_, err = c.CreateApiV2WithResponse(ctx, project, instance, body)
			require.True(t, errors.As(err, &ve), "a second API of the same name: %v", err)
			assert.Equal(t, http.StatusBadRequest, ve.StatusCode)
			assert.Equal(t, "APIG.3202", ve.Code, "the name exists: %v", ve)

			bad := body
			bad.Name = "x"
			_, err = c.CreateApiV2WithResponse(ctx, project, instance, bad)
			_, isValidation := validation.AsErrors(err)
			assert.True(t, isValidation, "validation errors stay as they are: %v", err)
		})
	}

	t.Run("wrong secret", func(t *testing.T) {
		c, err := apig.New(e.url, apiclient.WithAKSK("EMULATORACCESSKEY001", "wrong", project), apiclient.WithClock(e.clock.Now), apiclient.WithoutValidation())
		require.NoError(t, err)
		_, err = c.UpdateApiWithResponse(ctx, "00000000000000000000000000000000", apig.UpdateApiRequest{})
		ve, ok := apiclient.AsError(err)
		require.True(t, ok, "%v", err)
		assert.Equal(t, http.StatusUnauthorized, ve.StatusCode)
		assert.Equal(t, "APIG.0301", ve.Code)
	})
}

func ptr[T any](v T) *T { return &v }
