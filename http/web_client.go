package http

// clientPages are the pages of this group (filled in by its own change).
func (s *Server) clientPages() []route {
	return nil
}
