package sqlstore

import "context"

// personKey is the pseudonymous key of a client in indicator facts
// (accord.IndicatorFact.Person): the 64-bit FNV-1a hash of the client id,
// never 0, computed without allocating (it runs once per fact). It lets
// the indicator engine bound how many units one person contributes to a
// private release; it stays in the process.
func personKey(clientID string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(clientID); i++ {
		h ^= uint64(clientID[i])
		h *= 1099511628211
	}
	return max(h, 1)
}

// PrivacySpent returns the differential-privacy budget the partnership's
// published releases have spent: the sum of their epsilons.
func (db *DB) PrivacySpent(ctx context.Context) (float64, error) {
	return privacySpent(ctx, db.read)
}

func privacySpent(ctx context.Context, q querier) (float64, error) {
	var spent float64
	err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(epsilon), 0) FROM indicator_releases`).Scan(&spent)
	return spent, err
}
