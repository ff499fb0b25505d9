"""The reporting surface questions may read: the views the apps below publish, and the role that reads them."""
