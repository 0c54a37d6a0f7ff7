-- Demo data, applied by npm start; idempotent.
SELECT 1;
