package repl

import (
	"path"
	"strings"
)

// contentTypes maps file extensions to the content type put stores when
// none is given. It is a fixed table rather than mime.TypeByExtension,
// which consults files that differ between machines, so that the same
// command stores the same object everywhere.
var contentTypes = map[string]string{
	".css":  "text/css",
	".csv":  "text/csv",
	".gif":  "image/gif",
	".gz":   "application/gzip",
	".htm":  "text/html",
	".html": "text/html",
	".ico":  "image/x-icon",
	".jpeg": "image/jpeg",
	".jpg":  "image/jpeg",
	".js":   "text/javascript",
	".json": "application/json",
	".md":   "text/markdown",
	".mp3":  "audio/mpeg",
	".mp4":  "video/mp4",
	".pdf":  "application/pdf",
	".png":  "image/png",
	".svg":  "image/svg+xml",
	".tar":  "application/x-tar",
	".txt":  "text/plain",
	".wasm": "application/wasm",
	".webp": "image/webp",
	".xml":  "application/xml",
	".yaml": "application/yaml",
	".yml":  "application/yaml",
	".zip":  "application/zip",
}

// GuessContentType returns the content type for key's extension (case
// ignored), or "" when the table does not know it, in which case the
// driver's default, application/octet-stream, applies.
func GuessContentType(key string) string {
	return contentTypes[strings.ToLower(path.Ext(key))]
}
