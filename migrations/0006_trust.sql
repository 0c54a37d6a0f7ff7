ALTER TABLE `api_keys` ADD `key_class` text DEFAULT 'default' NOT NULL;--> statement-breakpoint
ALTER TABLE `api_keys` ADD `job_id` text;--> statement-breakpoint
ALTER TABLE `idempotency_keys` ADD `lease_until` integer;--> statement-breakpoint
ALTER TABLE `idempotency_keys` ADD `attempts` text DEFAULT '[]' NOT NULL;--> statement-breakpoint
ALTER TABLE `session_questions` ADD `request_id` text;--> statement-breakpoint
ALTER TABLE `sessions` ADD `request_id` text;--> statement-breakpoint
ALTER TABLE `sessions` ADD `finish_request_id` text;--> statement-breakpoint
ALTER TABLE `training_jobs` ADD `reserved_credits` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `training_jobs` ADD `rollout_price` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `training_jobs` ADD `rollouts_reserved` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `training_jobs` ADD `rollouts_used` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `training_jobs` ADD `settled_at` integer;--> statement-breakpoint
ALTER TABLE `training_jobs` ADD `credentials_issued_at` integer;--> statement-breakpoint
ALTER TABLE `training_jobs` ADD `job_key_id` text;--> statement-breakpoint
ALTER TABLE `training_jobs` ADD `request_id` text;