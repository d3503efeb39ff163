eval "monitor dump %s", $core
detach
