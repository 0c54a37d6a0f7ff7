CREATE TABLE `llm_cache` (
	`key` text PRIMARY KEY NOT NULL,
	`model` text NOT NULL,
	`content` text NOT NULL,
	`prompt_tokens` integer NOT NULL,
	`completion_tokens` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
--> statement-breakpoint
CREATE TABLE `session_questions` (
	`session_id` text NOT NULL,
	`position` integer NOT NULL,
	`text` text NOT NULL,
	`answer` text NOT NULL,
	`tier` text,
	`effort` text,
	`effort_source` text,
	`after_actions` integer NOT NULL,
	`meta` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`session_id`, `position`),
	FOREIGN KEY (`session_id`) REFERENCES `sessions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`task_id` text NOT NULL,
	`preference` text NOT NULL,
	`vague` integer NOT NULL,
	`profile` text DEFAULT 'paper' NOT NULL,
	`state` text DEFAULT 'open' NOT NULL,
	`actions` integer DEFAULT 0 NOT NULL,
	`question_count` integer DEFAULT 0 NOT NULL,
	`engine` text NOT NULL,
	`model` text,
	`prompt_versions` text NOT NULL,
	`prompt_tokens` integer DEFAULT 0 NOT NULL,
	`completion_tokens` integer DEFAULT 0 NOT NULL,
	`prediction` text,
	`score` text,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`task_id`) REFERENCES `tasks`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `sessions_account_idx` ON `sessions` (`account_id`,`created_at`);