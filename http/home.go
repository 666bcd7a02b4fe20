package http

import (
	"embed"
	"html/template"
	"net/http"

	"github.com/accord-project/accord/i18n"
)

//go:embed openapi.json
var openAPIDoc []byte

//go:embed templates
var templateFS embed.FS

var homeTemplate = template.Must(template.New("home.html").Funcs(template.FuncMap{
	"t": func(p *i18n.Printer, format string, args ...any) string { return p.Sprintf(format, args...) },
}).ParseFS(templateFS, "templates/home.html"))

func (s *Server) openAPI(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(openAPIDoc)
	return nil
}

// home is the landing page: what this server is and where the API is.
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	p := s.printer(r)
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	return homeTemplate.Execute(w, map[string]any{"P": p, "Lang": p.Tag.String(), "Dir": i18n.Dir(p.Tag), "Version": s.version})
}
