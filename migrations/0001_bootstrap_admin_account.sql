-- Custom SQL migration file, put your code below! --
-- The account that BOOTSTRAP_ADMIN_KEY acts for: it owns what the bootstrap key creates (demo tasks, keys).
INSERT OR IGNORE INTO `accounts` (`id`, `name`, `credits`) VALUES ('acct_admin', 'admin', 0);
