CREATE TABLE `training_job_payloads` (
	`job_id` text NOT NULL,
	`seq` integer NOT NULL,
	`data` text NOT NULL,
	PRIMARY KEY(`job_id`, `seq`),
	FOREIGN KEY (`job_id`) REFERENCES `training_jobs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `training_jobs` (
	`id` text PRIMARY KEY NOT NULL,
	`account_id` text NOT NULL,
	`kind` text NOT NULL,
	`runner` text NOT NULL,
	`target` text,
	`state` text DEFAULT 'CREATED' NOT NULL,
	`rank` integer DEFAULT 0 NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`lease_until` integer,
	`lease_owner` text,
	`runner_job_id` text,
	`cancel_requested` integer DEFAULT false NOT NULL,
	`stop_requested_at` integer,
	`next_poll_at` integer,
	`polls` integer DEFAULT 0 NOT NULL,
	`max_runtime_ms` integer NOT NULL,
	`deadline_at` integer,
	`error` text,
	`last_error` text,
	`summary` text NOT NULL,
	`result` text,
	`payload_chunks` integer NOT NULL,
	`payload_bytes` integer NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	`updated_at` integer NOT NULL,
	`finished_at` integer,
	FOREIGN KEY (`account_id`) REFERENCES `accounts`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `training_jobs_account_idx` ON `training_jobs` (`account_id`,`created_at`);--> statement-breakpoint
CREATE INDEX `training_jobs_rank_idx` ON `training_jobs` (`rank`,`updated_at`);--> statement-breakpoint
CREATE TABLE `training_metrics` (
	`job_id` text NOT NULL,
	`step` integer NOT NULL,
	`name` text NOT NULL,
	`value` real NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	PRIMARY KEY(`job_id`, `step`, `name`),
	FOREIGN KEY (`job_id`) REFERENCES `training_jobs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `webhook_events` (
	`id` text PRIMARY KEY NOT NULL,
	`job_id` text NOT NULL,
	`type` text NOT NULL,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL
);
