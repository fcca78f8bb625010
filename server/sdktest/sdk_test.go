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
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
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

// emulatorClient starts an emulator on a fresh SQLite store for the test and returns the
// official SDK's client for it, signing with the fixtures' AK/SK.
func emulatorClient(t *testing.T) *roma.RomaClient {
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "db"))
	require.NoError(t, err)
	t.Cleanup(func() { st.Close() })
	srv, err := server.New(server.Options{Store: st, Fixtures: fixtures.Default()})
	require.NoError(t, err)
	hs := httptest.NewServer(srv.Handler())
	t.Cleanup(hs.Close)
	cred, err := basic.NewCredentialsBuilder().WithAk("EMULATORACCESSKEY001").
		WithSk("emulator-secret-key-0001").WithProjectId(project).SafeBuild()
	require.NoError(t, err)
	hc, err := roma.RomaClientBuilder().WithEndpoints([]string{hs.URL}).WithCredential(cred).SafeBuild()
	require.NoError(t, err)
	return roma.NewRomaClient(hc)
}

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
			client := emulatorClient(t)

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

// The SDK's natural lifecycle, signed with AK/SK: create, show, update, list, delete. Every
// answer decodes into the SDK's models, and each call's effect is seen by the next.
func TestOfficialSDKLifecycle(t *testing.T) {
	client := emulatorClient(t)

	body := func(name, uri, remark string) *model.ApiCreate {
		var b model.ApiCreate
		require.NoError(t, json.Unmarshal([]byte(`{"name":"`+name+`","type":1,"req_protocol":"HTTPS","req_method":"GET","req_uri":"`+uri+
			`","auth_type":"NONE","backend_type":"MOCK","group_id":"c77f5e81d9cb4424bf704ef2b0ac7600","remark":"`+remark+
			`","mock_info":{"result_content":"ok"}}`), &b))
		return &b
	}
	created, err := client.CreateApiV2(&model.CreateApiV2Request{InstanceId: instance, Body: body("sdk_life", "/sdk/life", "first")})
	require.NoError(t, err)
	require.NotNil(t, created.Id)
	id := *created.Id

	shown, err := client.ShowDetailsOfApiV2(&model.ShowDetailsOfApiV2Request{InstanceId: instance, ApiId: id})
	require.NoError(t, err)
	assert.Equal(t, 200, shown.HttpStatusCode)
	assert.Equal(t, "sdk_life", shown.Name)
	assert.Equal(t, "first", *shown.Remark)
	require.NotNil(t, shown.RegisterTime)

	updated, err := client.UpdateApiV2(&model.UpdateApiV2Request{InstanceId: instance, ApiId: id, Body: body("sdk_life_2", "/sdk/life/2", "second")})
	require.NoError(t, err)
	assert.Equal(t, 200, updated.HttpStatusCode)
	assert.Equal(t, id, *updated.Id)
	assert.Equal(t, "sdk_life_2", updated.Name)
	assert.Equal(t, shown.RegisterTime.String(), updated.RegisterTime.String(), "the registration time is kept")

	shown, err = client.ShowDetailsOfApiV2(&model.ShowDetailsOfApiV2Request{InstanceId: instance, ApiId: id})
	require.NoError(t, err)
	assert.Equal(t, "sdk_life_2", shown.Name)
	assert.Equal(t, "/sdk/life/2", shown.ReqUri)
	assert.Equal(t, updated.UpdateTime.String(), shown.UpdateTime.String())

	name, precise := "sdk_life_2", "name"
	listed, err := client.ListApisV2(&model.ListApisV2Request{InstanceId: instance, Name: &name, PreciseSearch: &precise})
	require.NoError(t, err)
	assert.EqualValues(t, 1, listed.Total)
	assert.EqualValues(t, 1, listed.Size)
	require.NotNil(t, listed.Apis)
	require.Len(t, *listed.Apis, 1)
	assert.Equal(t, id, *(*listed.Apis)[0].Id)
	old := "sdk_life"
	listed, err = client.ListApisV2(&model.ListApisV2Request{InstanceId: instance, Name: &old, PreciseSearch: &precise})
	require.NoError(t, err)
	assert.EqualValues(t, 0, listed.Total, "the old name is gone")
	zero := int32(0)
	listed, err = client.ListApisV2(&model.ListApisV2Request{InstanceId: instance, Limit: &zero})
	require.NoError(t, err, "a limit of 0 is converted, not rejected")
	assert.EqualValues(t, 1, listed.Size)

	deleted, err := client.DeleteApiV2(&model.DeleteApiV2Request{InstanceId: instance, ApiId: id})
	require.NoError(t, err)
	assert.Equal(t, 204, deleted.HttpStatusCode)

	_, err = client.ShowDetailsOfApiV2(&model.ShowDetailsOfApiV2Request{InstanceId: instance, ApiId: id})
	var se *sdkerr.ServiceResponseError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, 404, se.StatusCode)
	assert.Equal(t, "APIG.3002", se.ErrorCode)
	listed, err = client.ListApisV2(&model.ListApisV2Request{InstanceId: instance})
	require.NoError(t, err)
	assert.EqualValues(t, 0, listed.Total)
	again, err := client.CreateApiV2(&model.CreateApiV2Request{InstanceId: instance, Body: body("sdk_life_2", "/sdk/life/2", "reuse")})
	require.NoError(t, err, "the deleted API's name and route are free")
	assert.NotEqual(t, id, *again.Id)
}
