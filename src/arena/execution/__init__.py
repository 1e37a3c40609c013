"""Execution (挂帅, 实施, 赛马, 容错, 验收): projects from the award to acceptance."""
