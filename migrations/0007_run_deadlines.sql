ALTER TABLE `benchmarks` ADD `max_runs` integer DEFAULT 5 NOT NULL;--> statement-breakpoint
ALTER TABLE `benchmarks` ADD `deadline_minutes` integer DEFAULT 1440 NOT NULL;--> statement-breakpoint
ALTER TABLE `runs` ADD `deadline_at` integer;--> statement-breakpoint
ALTER TABLE `runs` ADD `ended_at` integer;--> statement-breakpoint
ALTER TABLE `runs` ADD `ended_by` text;