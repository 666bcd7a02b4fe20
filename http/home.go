package http

import (
	"embed"
	"net/http"
)

//go:embed openapi.json
var openAPIDoc []byte

//go:embed templates
var templateFS embed.FS

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(openAPIDoc)
	return nil
}

// home is the landing page: what this server is and where the API is.
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	return s.render(w, http.StatusOK, "home", s.newView(r, nil, "", "Welcome", nil))
}
