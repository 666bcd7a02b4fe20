package http

// adminPages are the pages of this group (filled in by its own change).
func (s *Server) adminPages() []route {
	return nil
}
