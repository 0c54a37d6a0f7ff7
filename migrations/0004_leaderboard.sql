CREATE TABLE `benchmark_items` (
	`benchmark_id` text NOT NULL,
	`position` integer NOT NULL,
	`task_id` text NOT NULL,
	`preference` text NOT NULL,
	`vague` integer NOT NULL,
	PRIMARY KEY(`benchmark_id`, `position`),
	FOREIGN KEY (`benchmark_id`) REFERENCES `benchmarks`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `benchmark_items_item_idx` ON `benchmark_items` (`benchmark_id`,`task_id`,`preference`,`vague`);--> statement-breakpoint
CREATE TABLE `benchmarks` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text,
	`trials` integer NOT NULL,
	`profile` text NOT NULL,
	`assignment` text NOT NULL,
	`daily_run_quota` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `leaderboard_entries` (
	`id` text PRIMARY KEY NOT NULL,
	`run_id` text NOT NULL,
	`benchmark_id` text NOT NULL,
	`agent` text NOT NULL,
	`version` text,
	`engine` text NOT NULL,
	`model` text,
	`prompt_versions` text NOT NULL,
	`scores` text NOT NULL,
	`sessions_sha256` text NOT NULL,
	`signature` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`run_id`) REFERENCES `runs`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`benchmark_id`) REFERENCES `benchmarks`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `leaderboard_entries_run_idx` ON `leaderboard_entries` (`run_id`);--> statement-breakpoint
CREATE INDEX `leaderboard_entries_benchmark_idx` ON `leaderboard_entries` (`benchmark_id`);--> statement-breakpoint
CREATE TABLE `runs` (
	`id` text PRIMARY KEY NOT NULL,
	`benchmark_id` text NOT NULL,
	`account_id` text NOT NULL,
	`agent` text NOT NULL,
	`version` text,
	`state` text DEFAULT 'open' NOT NULL,
	`profile` text NOT NULL,
	`engine` text NOT NULL,
	`model` text,
	`prompt_versions` text NOT NULL,
	`day` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`submitted_at` integer,
	FOREIGN KEY (`benchmark_id`) REFERENCES `benchmarks`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `runs_quota_idx` ON `runs` (`benchmark_id`,`account_id`,`day`);--> statement-breakpoint
CREATE INDEX `runs_account_idx` ON `runs` (`account_id`,`created_at`);--> statement-breakpoint
ALTER TABLE `sessions` ADD `run_id` text REFERENCES runs(id);--> statement-breakpoint
CREATE INDEX `sessions_run_idx` ON `sessions` (`run_id`);