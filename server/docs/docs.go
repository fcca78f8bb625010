// Package docs is the emulator's offline API reference page: Swagger UI (the swagger-ui-dist
// files that package-lock.json pins, copied by scripts/docs-assets.sh) embedded at build
// time, showing the embedded specs the emulator serves.
package docs

import (
	"embed"
	"io/fs"
	"net/http"
)

//go:embed index.html init.js swagger-ui
var files embed.FS

// Handler serves the page and its assets below prefix (which ends with a slash).
func Handler(prefix string) http.Handler {
	root, err := fs.Sub(files, ".")
	if err != nil {
		panic(err) // the embedded tree always has its root
	}
	assets, err := fs.Sub(files, "swagger-ui")
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	page := http.FileServerFS(root)
	lib := http.FileServerFS(assets)
	mux.Handle(prefix+"{$}", http.StripPrefix(prefix, page))
	mux.Handle(prefix+"init.js", http.StripPrefix(prefix, page))
	mux.Handle(prefix+"{file}", http.StripPrefix(prefix, lib))
	return mux
}
