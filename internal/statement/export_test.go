package statement

import (
	"context"
	"time"
)

// BothPaths renders the statement of year of each person twice, with the
// same code and date: by the single path (its own reads) and from the
// chunk's set-based reads, for a test to compare.
func (s *Service) BothPaths(ctx context.Context, personIDs []int64, employer string, year int, code string, on time.Time) (single, chunked [][]byte, err error) {
	data, err := readChunk(ctx, s.db.Read(), personIDs, year)
	if err != nil {
		return nil, nil, err
	}
	for i, id := range personIDs {
		m := member{Seq: int64(i + 1), PersonID: id, Employer: employer}
		_, a, err := s.render(ctx, m, year, code, on)
		if err != nil {
			return nil, nil, err
		}
		_, b, err := s.renderFrom(data, m, year, code, on)
		if err != nil {
			return nil, nil, err
		}
		single, chunked = append(single, a), append(chunked, b)
	}
	return single, chunked, nil
}
