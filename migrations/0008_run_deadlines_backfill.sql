-- Runs from before runs ended by themselves: a submitted run has ended (it has its entry); every run gets the
-- default deadline of a day after its start, so an abandoned open run expires and becomes an entry too.
UPDATE `runs` SET `state` = 'ended', `ended_at` = coalesce(`submitted_at`, `created_at`), `ended_by` = 'finished'
WHERE `state` = 'submitted';--> statement-breakpoint
UPDATE `runs` SET `deadline_at` = `created_at` + 86400000 WHERE `deadline_at` IS NULL;
