package server

import (
	"encoding/json"
	"net/http"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"

	"github.com/apiclab/apic/server/docs"
)

// registerSpecs serves the embedded specs as JSON (GET /_emulator/openapi/roma-apic.json and
// apig.json) and the offline reference page that shows them (/_emulator/docs/). Both are
// open to all: the specs are public documents.
func (s *Server) registerSpecs(e *echo.Echo) error {
	// ?servers=self puts the emulator first in the spec's servers, so that the docs page's
	// "Try it out" calls the emulator rather than the service.
	specs, self := map[string][]byte{}, map[string][]byte{}
	for name, doc := range map[string]*openapi3.T{"roma-apic.json": s.roma, "apig.json": s.apig} {
		data, err := json.Marshal(doc)
		if err != nil {
			return err
		}
		specs[name] = data
		local := *doc
		local.Servers = append(openapi3.Servers{{URL: "/", Description: "this emulator"}}, doc.Servers...)
		if self[name], err = json.Marshal(&local); err != nil {
			return err
		}
	}
	e.GET(StatePrefix+"openapi/:file", func(c echo.Context) error {
		from := specs
		if c.QueryParam("servers") == "self" {
			from = self
		}
		data, ok := from[c.Param("file")]
		if !ok {
			return apiError(http.StatusNotFound, CodeNoRoute, "No spec %s: the emulator serves roma-apic.json and apig.json", c.Param("file"))
		}
		return c.JSONBlob(http.StatusOK, data)
	})
	e.GET(StatePrefix+"docs", func(c echo.Context) error {
		return c.Redirect(http.StatusMovedPermanently, StatePrefix+"docs/")
	})
	e.GET(StatePrefix+"docs/*", echo.WrapHandler(docs.Handler(StatePrefix+"docs/")))
	return nil
}
