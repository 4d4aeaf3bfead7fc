"""The ecosystem over time: stage and score of every repository at several past dates."""
