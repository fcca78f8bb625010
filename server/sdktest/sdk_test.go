// Package sdktest calls the emulator with the official Huawei Cloud Go SDK. It is a module of
// its own so that the SDK stays out of the dependency graph of the packages users embed.
package sdktest

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	roma "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/roma/v2"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/roma/v2/model"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/apiclab/apic/conformance"
	"github.com/apiclab/apic/conformance/catalog"
	"github.com/apiclab/apic/server"
	"github.com/apiclab/apic/server/fixtures"
	"github.com/apiclab/apic/server/store"
)

const (
	project  = "73d69ae0cfcf460190522d06b60f05ad"
	instance = "eddc4d25480b4cd6b512f270a1b8b341"
)

// CreateApiV2 with each documented ROMA request example, signed with AK/SK by the SDK, gets 201
// and the SDK decodes the answer. Examples the ledger records as breaking a kept rule get the
// vendor's 400 instead, which the SDK reports as a service error.
func TestOfficialSDKCreatesEveryDocumentedExample(t *testing.T) {
	doc, err := catalog.ROMA.Doc()
	require.NoError(t, err)
	ledger, err := conformance.ParseLedger(catalog.ROMA.LedgerYAML)
	require.NoError(t, err)
	n := 0
	for _, ex := range conformance.Examples(doc) {
		if ex.Operation != "CreateApiV2" || ex.Where != "request" {
			continue
		}
		n++
		t.Run(ex.Name, func(t *testing.T) {
			st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "db"))
			require.NoError(t, err)
			defer st.Close()
			srv, err := server.New(server.Options{Store: st, Fixtures: fixtures.Default()})
			require.NoError(t, err)
			hs := httptest.NewServer(srv.Handler())
			defer hs.Close()

			cred, err := basic.NewCredentialsBuilder().WithAk("EMULATORACCESSKEY001").
				WithSk("emulator-secret-key-0001").WithProjectId(project).SafeBuild()
			require.NoError(t, err)
			hc, err := roma.RomaClientBuilder().WithEndpoints([]string{hs.URL}).WithCredential(cred).SafeBuild()
			require.NoError(t, err)
			client := roma.NewRomaClient(hc)

			data, err := json.Marshal(ex.Value)
			require.NoError(t, err)
			var body model.ApiCreate
			require.NoError(t, json.Unmarshal(data, &body), "the SDK's model takes the documented example")
			resp, err := client.CreateApiV2(&model.CreateApiV2Request{InstanceId: instance, Body: &body})
			if id, rejected := ledger.ExpectedRejection(ex.Ref()); rejected {
				require.Error(t, err, "ledger %s", id)
				assert.Contains(t, err.Error(), "APIG.2011")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, 201, resp.HttpStatusCode)
			require.NotNil(t, resp.Id)
			assert.Len(t, *resp.Id, 32)
			assert.Equal(t, body.Name, resp.Name)
		})
	}
	require.Positive(t, n)
}
