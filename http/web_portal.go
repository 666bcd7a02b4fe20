package http

// portalPages are the pages of this group (filled in by its own change).
func (s *Server) portalPages() []route {
	return nil
}
