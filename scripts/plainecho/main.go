// Command plainecho is the baseline of the load script: a plain echo server with a handler
// that does no work but JSON, to measure the emulator against on the same machine.
//
//	GET  /echo  answers a fixed small JSON object
//	POST /echo  decodes the JSON body and writes it back
package main

import (
	"encoding/json"
	"net/http"
	"os"

	"github.com/labstack/echo/v4"
)

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	addr := "127.0.0.1:18081"
	if len(args) > 0 {
		addr = args[0]
	}
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.GET("/echo", func(c echo.Context) error {
		return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
	})
	e.POST("/echo", func(c echo.Context) error {
		var v map[string]any
		if err := json.NewDecoder(c.Request().Body).Decode(&v); err != nil {
			return c.JSON(http.StatusBadRequest, map[string]string{"error": err.Error()})
		}
		return c.JSON(http.StatusCreated, v)
	})
	if err := e.Start(addr); err != nil && err != http.ErrServerClosed {
		return 1
	}
	return 0
}
