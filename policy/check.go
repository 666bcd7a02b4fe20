package policy

// CheckLocalPolicies reports whether SetLocalPolicies would accept text,
// without changing anything: storage validates before it saves.
func (s *Snapshot) CheckLocalPolicies(text string) error {
	_, err := parseLocalPolicies(text)
	return err
}
