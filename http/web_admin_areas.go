package http

import (
	"net/http"
	"strings"

	"github.com/accord-project/accord"
	"github.com/accord-project/accord/enforce"
)

// The partnership's areas (/admin/areas): the places it counts where its
// clients live, offered at intake and used as the geography of
// indicators. Partnership administrators add them; an area is never
// removed, since clients and published releases name it.

type adminAreasData struct {
	Nav   []adminLink
	Areas []accord.Area
}

func (s *Server) adminAreas(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	return s.adminAreasForm(w, r, c, nil, nil)
}

func (s *Server) adminAreasForm(w http.ResponseWriter, r *http.Request, c *enforce.Caller, f *form, ferr error) error {
	if ok, err := s.requireAdmin(w, r, c); !ok {
		return err
	}
	areas, err := s.svc.Areas(r.Context(), c)
	if err != nil {
		return err
	}
	v := s.newView(r, c, "admin", "Areas", nil)
	v.Data = &adminAreasData{Nav: adminNav(v.P, c, "/admin/areas"), Areas: areas}
	if f == nil {
		f = newForm()
	}
	v.Form = f
	status := http.StatusOK
	if ferr != nil {
		status = adminFormStatus(ferr)
	}
	return s.adminRender(w, status, "admin_areas", v)
}

func (s *Server) adminAreaCreate(w http.ResponseWriter, r *http.Request, c *enforce.Caller) error {
	f, err := parseForm(r)
	if err != nil {
		return err
	}
	done, err := s.once(w, r, c, f, func() (string, error) {
		a := &accord.Area{Code: strings.ToLower(strings.TrimSpace(f.Values.Get("code"))), Name: strings.TrimSpace(f.Values.Get("name"))}
		if err := s.svc.CreateArea(r.Context(), c, a); err != nil {
			return "", err
		}
		return "/admin/areas?notice=admin-area-created", nil
	})
	if done {
		return nil
	}
	if adminFailed(s.pagePrinter(r), f, err) {
		return s.adminAreasForm(w, r, c, f, err)
	}
	return err
}
